#!/bin/sh
# Install the Debian packages govanalytics uses where they are missing and we are allowed to:
#   fonts-noto-cjk  Chinese glyphs in charts (matplotlib) and in the PDF memo
#   chromium        headless browser: prints the policy memo to PDF (embeds the CJK font) and
#                   runs the offline-report test with the network blocked
#   poppler-utils   pdftoppm: the memo test renders the PDF page to an image
#   postgresql      initdb/pg_ctl: tests/db start a throwaway server (database mode)
# Without root or apt-get, print a warning: charts fall back to a font without Chinese glyphs
# (the code warns), and the offline-browser test is skipped with its reason.
need=""
# The runtime list lives in scripts/debian-packages.txt (the offline bundle ships the same list).
for pkg in $(sed 's/#.*//' "$(dirname "$0")/debian-packages.txt"); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need="$need $pkg"
done
# Test-only (not in the offline bundle): PostgreSQL for the database tests.
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing$need"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need) >/tmp/govanalytics-apt.log 2>&1 \
        || echo "WARNING: could not install$need (see /tmp/govanalytics-apt.log); Chinese charts or the browser test may be degraded"
    rm -rf "${HOME}/.cache/matplotlib" 2>/dev/null
else
    echo "WARNING: missing Debian packages:$need (run as root: apt-get install$need). Continuing without them."
fi
exit 0

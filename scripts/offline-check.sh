#!/bin/sh
# `make offline-check`: unpack the newest bundle in dist/ into a fresh temporary folder and run
# its install.sh with the network cut off for that process, then check that the report rendered.
# Network cut: an empty network namespace (`unshare -n`, only the loopback brought up, which the
# Jupyter kernels need); where the kernel does not allow it (no root, no user namespaces), the
# fallback is PIP_NO_INDEX=1 with every proxy variable unset, and a note says so.
set -eu
cd "$(dirname "$0")/.."
archive=dist/$(cat dist/LATEST)
[ -f "$archive" ] || { echo "offline-check: no bundle in dist/ (run make bundle)" >&2; exit 1; }
size=${SIZE:-small}
# A fresh folder per run under .cache/offline-check/ (git-ignored). The previous run's folder is
# removed first, not this one at the end: it stays for inspection (open its report), and CI does
# not spend minutes deleting a virtualenv it throws away anyway.
mkdir -p .cache/offline-check
rm -rf .cache/offline-check/run.*
work=$(mktemp -d "$PWD/.cache/offline-check/run.XXXXXX")
t0=$(date +%s)
tar -xzf "$archive" -C "$work"
echo "offline-check: unpacked $archive ($(du -h "$archive" | cut -f1)) into $work in $(($(date +%s) - t0)) s"
for bundle in "$work"/govanalytics-offline-*; do :; done
# The install must not see this machine's pip configuration (e.g. a local find-links folder).
inner="ip link set lo up 2>/dev/null || true; exec env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY -u no_proxy PIP_NO_INDEX=1 sh '$bundle/install.sh' --size $size"
if unshare -n true 2>/dev/null; then
    how="empty network namespace (unshare -n)"
    set -- unshare -n sh -c "$inner"
elif unshare -rn true 2>/dev/null; then
    how="empty network namespace as mapped root (unshare -rn; Debian packages skipped: not real root)"
    set -- unshare -rn sh -c "$inner"
else
    how="NOTE: no network namespace here; fallback: PIP_NO_INDEX=1, proxies unset (network not cut)"
    set -- sh -c "$inner"
fi
echo "offline-check: network cut by $how"
start=$(date +%s)
"$@"
index=""
for f in "$bundle"/reports/*/index.html; do [ -f "$f" ] && index=$f; done
[ -n "$index" ] || { echo "offline-check: FAILED: no rendered report under $bundle/reports" >&2; exit 1; }
echo "offline-check: passed in $(($(date +%s) - start)) s — $how; report: ${index#"$work"/}"

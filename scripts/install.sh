#!/bin/sh
# Offline installer of the govanalytics bundle (built by `make bundle`). Needs no network.
#
#   sh install.sh [--prefix DIR] [--size small|default] [--python PY] [--no-debs] [--no-tests]
#
#   --prefix DIR   where .venv/, notebooks/, data/sample/ and reports/ go (default: this folder)
#   --size S       size of the generated sample city for the first report (default: default;
#                  small renders faster and is what `make offline-check` uses)
#   --python PY    the Python to build the virtualenv from (same minor version as the bundle)
#   --no-debs      do not install the Debian packages (e.g. the administrator did it already)
#   --no-tests     skip the shipped pytest smoke tests (the report and its checks still run)
#
# Steps: verify SHA256SUMS; install the Debian packages from debs/ as a local apt repository
# (root only; otherwise warn and carry on, as `make` does); create the virtualenv with
# `pip install --no-index --find-links wheels/`; register the Jupyter kernel `govanalytics`;
# generate the sample city; render the weekly report; run the smoke test.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=$here
size=default
python=""
debs=1
tests=1
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --python) python=$2; shift 2 ;;
        --no-debs) debs=0; shift ;;
        --no-tests) tests=0; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $size in small|default|large) ;; *) echo "install.sh: --size must be small, default or large, not '$size'" >&2; exit 2 ;; esac
started=$(date +%s)
step() { printf '\n== %s  (%s s)\n' "$*" "$(($(date +%s) - started))"; }
cd "$here"

step "1/7 checksums (SHA256SUMS)"
if ! sha256sum --check --quiet --strict SHA256SUMS; then
    echo "install.sh: the bundle is damaged or was changed: the files above fail SHA256SUMS. Copy it again." >&2
    exit 1
fi
echo "all $(wc -l < SHA256SUMS) files match"

step "2/7 Debian packages (debs/)"
packages=$(sed 's/#.*//' debian-packages.txt | xargs)
if [ "$debs" = 0 ]; then
    echo "skipped (--no-debs)"
elif [ ! -f debs/Packages ]; then
    echo "WARNING: this bundle carries no Debian packages; install them yourself: $packages"
elif [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING: not root (or no apt-get): Debian packages not installed: $packages"
    echo "         Re-run this script as root to install them from debs/. Continuing without them:"
    echo "         charts fall back to a font without Chinese glyphs and the memo PDF may be missing."
else
    aptdir=$(mktemp -d)
    mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$aptdir/parts"
    echo "deb [trusted=yes] file:$here/debs ./" > "$aptdir/bundle.list"
    # Only the bundle's folder as a source, with our own lists: nothing is fetched from outside.
    set -- -o "Dir::Etc::SourceList=$aptdir/bundle.list" -o "Dir::Etc::SourceParts=$aptdir/parts" \
        -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::archives=$aptdir/archives" \
        -o APT::Install-Recommends=false -o APT::Sandbox::User=root
    # shellcheck disable=SC2086  # the package list is meant to split into words
    if apt-get -qq "$@" update && DEBIAN_FRONTEND=noninteractive apt-get -y -qq "$@" install $packages >"$aptdir/install.log" 2>&1; then
        echo "installed or already present: $packages"
        rm -rf "${HOME:-/root}/.cache/matplotlib" 2>/dev/null || true
    else
        tail -20 "$aptdir/install.log" 2>/dev/null || true
        echo "WARNING: apt-get could not install $packages from debs/ (log above). Continuing without them."
    fi
    rm -rf "$aptdir"
fi

step "3/7 Python virtualenv (pip --no-index --find-links wheels/)"
if [ -z "$python" ]; then
    want=$(sed -n 's/.*"python": "\([0-9.]*\)".*/\1/p' MANIFEST.json)
    for candidate in "python$want" python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
    done
fi
[ -n "$python" ] || { echo "install.sh: no python3 found; pass --python" >&2; exit 1; }
"$python" - <<'EOF' || exit 1
import json, sys
want = json.load(open("MANIFEST.json", encoding="utf-8"))["python"]
have = f"{sys.version_info[0]}.{sys.version_info[1]}"
if have != want:
    sys.exit(f"install.sh: this bundle's wheels are for Python {want}, {sys.executable} is {have}; pass --python python{want}")
EOF
# No index, no pip configuration of this machine: only the bundle's wheels.
for var in $(env | sed -n 's/^\(PIP_[A-Z0-9_]*\)=.*/\1/p'); do unset "$var"; done
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$prefix"
venv=$prefix/.venv
"$python" -m venv --without-pip "$venv"   # works without Debian's python3-venv
for pipwhl in wheels/pip-*.whl; do :; done
"$venv/bin/python" "$pipwhl/pip" install --quiet --no-index --find-links wheels pip setuptools wheel
version=$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' MANIFEST.json | head -n1)
"$venv/bin/python" -m pip install --quiet --no-index --find-links wheels -c constraints.txt "govanalytics[dev]==$version"
"$venv/bin/govanalytics" --help >/dev/null
echo "$venv: govanalytics $version installed from $(find wheels -name '*.whl' | wc -l) wheels"

step "4/7 Jupyter kernel 'govanalytics'"
"$venv/bin/python" -m ipykernel install --sys-prefix --name govanalytics --display-name "govanalytics (Python)" >/dev/null
"$venv/bin/jupyter" kernelspec list | grep -w govanalytics

step "5/7 sample city (size $size) and notebooks"
if [ "$prefix" != "$here" ]; then
    mkdir -p "$prefix/notebooks"
    cp -R -n notebooks/. "$prefix/notebooks/"   # keeps notebooks already edited there
fi
cd "$prefix"
"$venv/bin/govanalytics" synth --size "$size" --seed 1 --out data/sample
"$venv/bin/govanalytics" check data/sample

step "6/7 weekly report"
index=$("$venv/bin/govanalytics" report weekly --data data/sample --out reports | tail -n1)
echo "$index"

step "7/7 smoke test"
"$venv/bin/python" "$here/smoke/smoke_test.py" --report "$(dirname "$index")" --notebooks "$prefix/notebooks"
if [ "$tests" = 1 ]; then
    (cd "$here/smoke" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider .)
fi

echo
echo "govanalytics is installed in $prefix ($(($(date +%s) - started)) s)."
echo "  report:    $index"
echo "  notebooks: $venv/bin/jupyter lab $prefix/notebooks   (kernel: govanalytics (Python))"
echo "  weekly:    cd $prefix && $venv/bin/govanalytics report weekly --data <your data folder>"

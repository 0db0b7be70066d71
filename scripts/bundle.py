"""Build the offline bundle: everything an intranet machine needs to install govanalytics.

Run on a connected machine of the same OS, architecture and Python minor version as the target
(``make bundle``)::

    python scripts/bundle.py [--out dist] [--cache .cache/bundle] [--no-debs]

It writes ``dist/govanalytics-offline-<version>-<platform>.tar.gz`` holding

* ``wheels/``   every wheel of the pinned set (``constraints.txt``): the runtime dependencies and
  the ``dev`` extra (pytest for the smoke test), pip/setuptools/wheel, and govanalytics' own wheel;
* ``debs/``     the Debian packages of ``scripts/debian-packages.txt`` with their dependency
  closure resolved against a *minimal* Debian (the ``Priority: required`` set, what
  ``debootstrap --variant=minbase`` installs), not against this machine, plus a ``Packages``
  index so that the target's apt can install from the folder as a local repository;
* ``notebooks/``, ``smoke/`` (the post-install check), ``debian-packages.txt``, ``install.sh``,
  ``README-offline.md``, ``MANIFEST.json`` and ``SHA256SUMS`` (``sha256sum -c`` format).

The sample city is not shipped: it is generated on the target by ``govanalytics synth`` (the
generator is part of the package wheel). Downloads are cached under ``--cache`` so re-runs only
rebuild the project wheel and repack.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Installer tools shipped with the wheels (not dependencies of the package, so not in
#: constraints.txt): the venv is created without pip and bootstraps this pip from the bundle.
TOOLS = ("pip==26.3", "setuptools==84.2.1", "wheel==0.48.0")
#: Files shipped from the project as they are (source → name in the bundle).
SHIPPED = {
    "scripts/install.sh": "install.sh",
    "scripts/debian-packages.txt": "debian-packages.txt",
    "constraints.txt": "constraints.txt",
    "tests/conftest.py": "smoke/conftest.py",
    "scripts/smoke_test.py": "smoke/smoke_test.py",
    "docs/offline-install.md": "README-offline.md",
}
#: Shipped tests run by install.sh's smoke step (fast, no real data, no browser).
SMOKE_TESTS = ("tests/test_synth.py", "tests/privacy/test_scan.py", "tests/privacy/test_mask.py")
SUMS = "SHA256SUMS"


def log(msg: str) -> None:
    """Print one progress line (flushed, so ``make`` shows it in order)."""
    print(f"bundle: {msg}", flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, failing loudly with the command line on error."""
    return subprocess.run(cmd, check=True, **kwargs)


# --------------------------------------------------------------------------- lists and names
def debian_packages(path: Path = ROOT / "scripts" / "debian-packages.txt") -> list[str]:
    """Package names of ``debian-packages.txt`` (comments and blank lines ignored)."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        names.extend(line.split("#", 1)[0].split())
    return names


def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Runtime and ``dev`` requirements of ``pyproject.toml`` (the optional extras for Spark or
    databases, if any, are left out: they are test-only and large)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"]) + list(project["optional-dependencies"].get("dev", []))


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The package version in ``pyproject.toml``."""
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def os_release() -> dict[str, str]:
    """Fields of ``/etc/os-release`` (empty where absent)."""
    path = Path("/etc/os-release")
    fields: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key] = value.strip().strip('"')
    return fields


def platform_tag() -> str:
    """``<os><version>-<cpython tag>-<arch>``, e.g. ``debian12-cp311-x86_64``: the wheels fit
    one Python minor version and architecture, the .deb files one Debian release."""
    osr = os_release()
    os_part = f"{osr.get('ID', sys.platform)}{osr.get('VERSION_ID', '')}"
    py = f"cp{sys.version_info.major}{sys.version_info.minor}"
    return f"{os_part}-{py}-{platform.machine()}"


def bundle_name(version: str, plat: str) -> str:
    """Folder (and archive stem) name of the bundle."""
    return f"govanalytics-offline-{version}-{plat}"


# --------------------------------------------------------------------------- checksums
def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_sha256sums(root: Path, *, name: str = SUMS) -> Path:
    """Write ``root/SHA256SUMS`` listing every file under ``root`` (itself excluded) in
    ``sha256sum -c`` format (``<hex>  <relative path>``), sorted by path.

    Returns the path of the written file.
    """
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == name:
            continue
        if "\n" in rel or "\\" in rel:
            msg = f"file name {rel!r} cannot be listed in {name} (newline or backslash)"
            raise ValueError(msg)
        lines.append(f"{sha256_of(path)}  {rel}\n")
    out = root / name
    out.write_text("".join(lines), encoding="utf-8")
    return out


def write_manifest(root: Path, **info: object) -> Path:
    """Write ``root/MANIFEST.json``: the given facts plus each file's size, wheels and .debs
    listed by name. Returns the path."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    manifest = dict(info)
    manifest["wheels"] = sorted(p.name for p in files if p.suffix == ".whl")
    manifest["debs"] = sorted(p.name for p in files if p.suffix == ".deb")
    manifest["total_bytes"] = sum(p.stat().st_size for p in files)
    out = root / "MANIFEST.json"
    out.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


# --------------------------------------------------------------------------- Debian
def required_packages(available: str) -> list[str]:
    """Names of the ``Priority: required`` packages in ``available`` (``apt-cache dumpavail``
    output): with their dependencies, the set ``debootstrap --variant=minbase`` installs."""
    names = []
    for record in re.split(r"\n\s*\n", available):
        fields = _control_fields(record)
        if fields.get("Priority") == "required" and fields.get("Package") not in names:
            names.append(fields["Package"])
    return names


def status_file(available: str, installed: set[str]) -> str:
    """A dpkg status file in which exactly the packages named in ``installed`` are installed,
    each at the first version listed in ``available`` (apt-cache lists the candidate first)."""
    out: list[str] = []
    seen: set[str] = set()
    for record in re.split(r"\n\s*\n", available):
        fields = _control_fields(record)
        name = fields.get("Package")
        if not name or name in seen or name not in installed:
            continue
        seen.add(name)
        lines = [f"Package: {name}", "Status: install ok installed"]
        lines += [f"{k}: {fields[k]}" for k in _STATUS_FIELDS if k in fields]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_STATUS_FIELDS = ("Essential", "Priority", "Section", "Installed-Size", "Maintainer",
                  "Architecture", "Multi-Arch", "Source", "Version", "Replaces", "Provides",
                  "Depends", "Pre-Depends", "Breaks", "Conflicts", "Description")  # fmt: skip


def _control_fields(record: str) -> dict[str, str]:
    """Fields of one Debian control record (continuation lines kept with their field)."""
    fields: dict[str, str] = {}
    key = None
    for line in record.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += "\n" + line
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def write_packages_index(deb_dir: Path) -> Path:
    """Write ``deb_dir/Packages`` so that apt can use the folder as a flat local repository
    (``deb [trusted=yes] file:DIR ./``). Each record is the package's control data plus
    ``Filename``, ``Size`` and ``SHA256``."""
    records = []
    for deb in sorted(deb_dir.glob("*.deb")):
        control = run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True).stdout
        control = control.rstrip("\n")
        extra = f"Filename: ./{deb.name}\nSize: {deb.stat().st_size}\nSHA256: {sha256_of(deb)}"
        records.append(f"{control}\n{extra}\n")
    out = deb_dir / "Packages"
    out.write_text("\n".join(records), encoding="utf-8")
    return out


class Apt:
    """apt-get and apt-cache with their own state under ``cache``: Debian's sources as this
    machine has them, our own package lists, an empty archive folder and a dpkg status file
    describing a minimal system, so nothing of this machine's installed set leaks in."""

    def __init__(self, cache: Path) -> None:
        self.dir = cache / "apt"
        for sub in ("lists/partial", "archives/partial", "sources", "cache"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.status = self.dir / "status"
        self.status.touch()
        self._copy_sources()

    def _copy_sources(self) -> None:
        deb822 = Path("/etc/apt/sources.list.d/debian.sources")
        one_line = Path("/etc/apt/sources.list")
        if deb822.exists():
            shutil.copy(deb822, self.dir / "sources" / "debian.sources")
        elif one_line.exists() and one_line.read_text().strip():
            shutil.copy(one_line, self.dir / "sources" / "debian.list")
        else:
            msg = "no Debian sources found in /etc/apt (sources.list.d/debian.sources or sources.list)"
            raise FileNotFoundError(msg)

    def options(self) -> list[str]:
        d = self.dir
        return [
            f"-oDir::State::status={self.status}",
            f"-oDir::State::Lists={d / 'lists'}",
            "-oDir::Etc::SourceList=/dev/null",
            f"-oDir::Etc::SourceParts={d / 'sources'}",
            f"-oDir::Cache={d / 'cache'}",
            f"-oDir::Cache::archives={d / 'archives'}",
            "-oAPT::Install-Recommends=false",
            "-oAPT::Sandbox::User=root",
            "-oDebug::NoLocking=true",
        ]

    def update(self, *, max_age_s: float = 86400) -> None:
        """Fetch the package lists unless fetched within ``max_age_s``."""
        stamp = self.dir / "lists" / ".updated"
        if stamp.exists() and time.time() - stamp.stat().st_mtime < max_age_s:
            return
        log("apt-get update (own lists)")
        run(["apt-get", "-qq", *self.options(), "update"])
        stamp.touch()

    def resolve(self, packages: list[str]) -> list[tuple[str, str]]:
        """(URI, file name) of every package to download for ``packages`` on the minimal
        system described by the status file."""
        self.status.write_text("", encoding="utf-8")
        dump = run(["apt-cache", *self.options(), "dumpavail"], capture_output=True, text=True)
        base = self._simulate(required_packages(dump.stdout))
        self.status.write_text(status_file(dump.stdout, base), encoding="utf-8")
        log(f"minimal system: {len(base)} packages (Priority: required and their dependencies)")
        # --print-uris leaves out files already in the archive folder: ask with an empty one
        empty = self.dir / "empty-archives"
        shutil.rmtree(empty, ignore_errors=True)
        (empty / "partial").mkdir(parents=True)
        opts = [*self.options(), f"-oDir::Cache::archives={empty}"]
        out = run(["apt-get", "-qq", *opts, "--print-uris", "install", *packages],
                  capture_output=True, text=True).stdout  # fmt: skip
        return [(line.split()[0].strip("'"), line.split()[1]) for line in out.splitlines()]

    def _simulate(self, packages: list[str]) -> set[str]:
        """Names apt would install for ``packages`` on the current status file."""
        out = run(["apt-get", "-s", *self.options(), "install", *packages],
                  capture_output=True, text=True).stdout  # fmt: skip
        return {line.split()[1] for line in out.splitlines() if line.startswith("Inst ")}

    def download(self, packages: list[str], dest: Path) -> list[str]:
        """Download the closure of ``packages`` into the archive cache and copy it to
        ``dest``; return the file names."""
        wanted = self.resolve(packages)
        log(f"{len(wanted)} Debian packages in the closure (against a minimal bookworm)")
        if not wanted:
            msg = f"apt resolved no package to download for {packages}"
            raise RuntimeError(msg)
        run(["apt-get", "-qq", "-y", *self.options(), "--download-only", "install", *packages])
        dest.mkdir(parents=True, exist_ok=True)
        for _, name in wanted:
            shutil.copy2(self.dir / "archives" / name, dest / name)
        return [name for _, name in wanted]

    def check_closure(self, packages: list[str], deb_dir: Path) -> None:
        """Simulate installing ``packages`` on the minimal system with the bundle's folder as
        the only source: fails if any dependency is missing from the bundle."""
        sources = self.dir / "check-sources"
        sources.mkdir(exist_ok=True)
        (sources / "bundle.list").write_text(f"deb [trusted=yes] file:{deb_dir.resolve()} ./\n")
        lists = self.dir / "check-lists"
        shutil.rmtree(lists, ignore_errors=True)
        (lists / "partial").mkdir(parents=True)
        cache = self.dir / "check-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()
        opts = [o for o in self.options() if not o.startswith(("-oDir::Etc::SourceParts",
                "-oDir::State::Lists", "-oDir::Cache="))]  # fmt: skip
        opts += [f"-oDir::Etc::SourceParts={sources}", f"-oDir::State::Lists={lists}",
                 f"-oDir::Cache={cache}"]  # fmt: skip
        run(["apt-get", "-qq", *opts, "update"])
        run(["apt-get", "-qq", "-s", *opts, "install", *packages], stdout=subprocess.DEVNULL)
        log("Debian closure checked: installs on a minimal system from the bundle alone")


# --------------------------------------------------------------------------- Python
def download_wheels(cache: Path, python: str) -> Path:
    """Wheels of the pinned runtime + dev set and the installer tools, in ``cache``.

    sdist-only packages are built into wheels here, so the target needs no compiler and no
    build backend. Skipped when the requirement set is unchanged since the last run.
    """
    reqs = [*project_requirements(), *TOOLS]
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    key = hashlib.sha256("\n".join([*reqs, constraints, platform_tag()]).encode()).hexdigest()
    wheel_dir = cache / f"wheels-{platform_tag()}"
    stamp = wheel_dir / ".complete"
    if stamp.exists() and stamp.read_text() == key:
        log(f"wheels cached in {wheel_dir}")
        return wheel_dir
    wheel_dir.mkdir(parents=True, exist_ok=True)
    log(f"pip wheel: {len(reqs)} requirements with constraints.txt into {wheel_dir}")
    run([python, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheel_dir),
         "-c", str(ROOT / "constraints.txt"), *reqs])  # fmt: skip
    stamp.write_text(key)
    return wheel_dir


def needed_wheels(wheel_dir: Path, python: str) -> list[Path]:
    """The wheels of ``wheel_dir`` that the pinned set resolves to (older downloads left in
    the cache are not shipped): ask pip, offline, which files it would install."""
    report = wheel_dir.parent / "resolve-report.json"
    run([python, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
         "--no-index", "--find-links", str(wheel_dir), "--report", str(report),
         "-c", str(ROOT / "constraints.txt"), *project_requirements(), *TOOLS],
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull})  # fmt: skip
    items = json.loads(report.read_text(encoding="utf-8"))["install"]
    names = [Path(item["download_info"]["url"].removeprefix("file://")).name for item in items]
    return [wheel_dir / n for n in names]


def project_wheel(dest: Path, python: str) -> None:
    """``pip wheel --no-deps`` of the project, built from a clean copy of its sources so that
    no ``build/`` folder is left in the checkout (nor a stale one packed into the wheel)."""
    log("pip wheel --no-deps . (the project's own wheel, from a clean copy)")
    with tempfile.TemporaryDirectory(prefix="govanalytics-src-") as tmp:
        src = Path(tmp)
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (ROOT / name).exists():
                shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "govanalytics", src / "govanalytics",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
        run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dest),
             str(src)])  # fmt: skip


# --------------------------------------------------------------------------- assembly
def copy_shipped(dest: Path) -> None:
    """Notebooks, install script, smoke tests and the offline README into the bundle."""
    shutil.copytree(ROOT / "notebooks", dest / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))  # fmt: skip
    for src, name in SHIPPED.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / src, dest / name)
    for src in SMOKE_TESTS:
        shutil.copy2(ROOT / src, dest / "smoke" / Path(src).name)
    (dest / "smoke" / "pytest.ini").write_text(pytest_ini(), encoding="utf-8")
    (dest / "install.sh").chmod(0o755)


def pytest_ini(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``pytest.ini`` for the shipped smoke tests: the project's markers and warning filters
    (warnings are errors there too)."""
    opts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    lines = ["[pytest]", "addopts = -ra --strict-markers", "markers ="]
    lines += [f"    {m}" for m in opts.get("markers", [])]
    lines += ["filterwarnings ="] + [f"    {f}" for f in opts.get("filterwarnings", [])]
    return "\n".join(lines) + "\n"


def build(out: Path, cache: Path, *, debs: bool = True, python: str = sys.executable) -> Path:
    """Build the bundle archive and return its path."""
    version = project_version()
    plat = platform_tag()
    name = bundle_name(version, plat)
    stage = out / name
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "wheels").mkdir(parents=True)
    t0 = time.monotonic()

    wheel_dir = download_wheels(cache, python)
    for whl in needed_wheels(wheel_dir, python):
        shutil.copy2(whl, stage / "wheels" / whl.name)
    project_wheel(stage / "wheels", python)

    packages = debian_packages()
    deb_names: list[str] = []
    if debs:
        apt = Apt(cache)
        apt.update()
        deb_names = apt.download(packages, stage / "debs")
        write_packages_index(stage / "debs")
        apt.check_closure(packages, stage / "debs")
    else:
        log("WARNING: --no-debs: the bundle carries no Debian packages")

    copy_shipped(stage)
    write_manifest(
        stage,
        name=name,
        version=version,
        platform=plat,
        python=f"{sys.version_info.major}.{sys.version_info.minor}",
        debian_packages=packages,
        debian_closure="Priority: required set of the release as the installed base",
        built_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        debs_count=len(deb_names),
    )
    write_sha256sums(stage)
    archive = out / f"{name}.tar.gz"
    log(f"packing {archive}")
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:  # the content is compressed
        tar.add(stage, arcname=name)
    shutil.rmtree(stage)
    size = archive.stat().st_size / 1e6
    log(f"done: {archive} ({size:.0f} MB) in {time.monotonic() - t0:.0f} s")
    (out / "LATEST").write_text(archive.name + "\n", encoding="utf-8")
    return archive


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/bundle.py [--out DIR] [--cache DIR] [--no-debs]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bundle")
    parser.add_argument("--no-debs", action="store_true", help="leave the Debian packages out")
    parser.add_argument("--python", default=sys.executable, help="Python whose pip downloads")
    args = parser.parse_args(argv)
    if sysconfig.get_platform().split("-")[0] != "linux":
        print("bundle: only Linux targets are supported", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.out.resolve(), args.cache.resolve(), debs=not args.no_debs, python=args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())

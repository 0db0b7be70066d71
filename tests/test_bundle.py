"""The offline bundle's parts that can be checked without building it (``make offline-check``
builds and installs the real one): shell syntax, one Debian list for system-deps.sh and the
bundle, checksums verified by ``sha256sum``, the minimal-system status file and apt's index."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"


@pytest.fixture(scope="module")
def bundle():
    """``scripts/bundle.py`` imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bundle", SCRIPTS / "bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bundle"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    """A tiny bundle folder: two wheels-like files, a nested file, a name with a space."""
    root = tmp_path / "b"
    (root / "wheels").mkdir(parents=True)
    (root / "wheels" / "a-1.0-py3-none-any.whl").write_bytes(b"abc")
    (root / "wheels" / "b-2.0-py3-none-any.whl").write_bytes(os.urandom(3000))
    (root / "notebooks" / "sub").mkdir(parents=True)
    (root / "notebooks" / "sub" / "x y.ipynb").write_text("{}", encoding="utf-8")
    (root / "install.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("script", ["install.sh", "offline-check.sh", "system-deps.sh"])
def test_shell_scripts_parse(script: str) -> None:
    subprocess.run(["sh", "-n", str(SCRIPTS / script)], check=True)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_shell_scripts_pass_shellcheck() -> None:
    scripts = [str(SCRIPTS / s) for s in ("install.sh", "offline-check.sh")]
    subprocess.run(["shellcheck", "-s", "sh", *scripts], check=True)


def test_install_rejects_an_unknown_size_before_doing_anything(tmp_path: Path) -> None:
    shutil.copy(SCRIPTS / "install.sh", tmp_path / "install.sh")
    r = subprocess.run(["sh", str(tmp_path / "install.sh"), "--size", "huge"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2
    assert "--size must be small, default or large, not 'huge'" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["install.sh"]


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum not installed")
def test_install_stops_on_a_damaged_bundle_before_installing(bundle, fake_bundle: Path) -> None:
    shutil.copy(SCRIPTS / "install.sh", fake_bundle / "install.sh")
    bundle.write_sha256sums(fake_bundle)
    (fake_bundle / "wheels" / "a-1.0-py3-none-any.whl").write_bytes(b"abd")
    r = subprocess.run(["sh", str(fake_bundle / "install.sh"), "--prefix", str(fake_bundle / "p")],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 1
    assert "wheels/a-1.0-py3-none-any.whl: FAILED" in r.stdout
    assert "the bundle is damaged or was changed" in r.stderr
    assert not (fake_bundle / "p").exists()


def test_system_deps_installs_the_list_the_bundle_ships(bundle, tmp_path: Path) -> None:
    """Run system-deps.sh as a non-root user on a machine where dpkg knows no package: the
    packages it says are missing are exactly the bundle's list."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (stubs / "id").write_text("#!/bin/sh\necho 1000\n")
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"}
    r = subprocess.run(["sh", str(SCRIPTS / "system-deps.sh")], capture_output=True, text=True,
                       env=env, check=True)  # fmt: skip
    line = next(x for x in r.stdout.splitlines() if x.startswith("WARNING: missing Debian"))
    missing = line.split(":", 2)[2].split("(")[0].split()
    # the runtime list first, in its order; test-only packages (a JDK, a database) may follow
    assert missing[: len(bundle.debian_packages())] == bundle.debian_packages()
    assert {"fonts-noto-cjk", "chromium", "poppler-utils", "fontconfig"} <= set(missing)


def test_shipped_files_exist(bundle) -> None:
    """Renaming a test or script the bundle ships must not break `make bundle` unnoticed."""
    for src in [*bundle.SHIPPED, *bundle.SMOKE_TESTS]:
        assert (ROOT / src).is_file(), src
    assert any((ROOT / "notebooks").glob("*.ipynb"))


def test_sha256sums_verified_by_sha256sum(bundle, fake_bundle: Path) -> None:
    sums = bundle.write_sha256sums(fake_bundle)
    lines = sums.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4  # every file, SHA256SUMS itself excluded
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 "abc"
    assert f"{abc}  wheels/a-1.0-py3-none-any.whl" in lines
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not installed")
    ok = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=fake_bundle,
                        capture_output=True, text=True)  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (fake_bundle / "notebooks" / "sub" / "x y.ipynb").write_text("{ }", encoding="utf-8")
    bad = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=fake_bundle,
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 1
    assert "notebooks/sub/x y.ipynb: FAILED" in bad.stdout


def test_manifest_lists_wheels_debs_and_size(bundle, fake_bundle: Path) -> None:
    import json

    (fake_bundle / "debs").mkdir()
    (fake_bundle / "debs" / "p_1_all.deb").write_bytes(b"12345")
    m = json.loads(bundle.write_manifest(fake_bundle, python="3.11").read_text(encoding="utf-8"))
    assert m["wheels"] == ["a-1.0-py3-none-any.whl", "b-2.0-py3-none-any.whl"]
    assert m["debs"] == ["p_1_all.deb"]
    assert m["total_bytes"] == 3 + 3000 + 2 + len("#!/bin/sh\n") + 5
    assert m["python"] == "3.11"


AVAILABLE = """\
Package: base-files
Priority: required
Version: 12.4
Depends: libc6
Description: base
 continuation line

Package: libc6
Priority: optional
Version: 2.36-9

Package: base-files
Priority: required
Version: 12.1

Package: chromium
Priority: optional
Version: 156
"""


def test_minimal_status_marks_only_the_given_packages_installed(bundle) -> None:
    assert bundle.required_packages(AVAILABLE) == ["base-files"]
    status = bundle.status_file(AVAILABLE, {"base-files", "libc6"})
    records = [r.splitlines() for r in status.strip().split("\n\n")]
    assert [r[0] for r in records] == ["Package: base-files", "Package: libc6"]
    assert all(r[1] == "Status: install ok installed" for r in records)
    assert "Version: 12.4" in records[0] and "Version: 12.1" not in status  # candidate kept
    assert " continuation line" in records[0]
    assert "chromium" not in status


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed")
def test_packages_index_describes_each_deb(bundle, tmp_path: Path) -> None:
    pkg = tmp_path / "src"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN" / "control").write_text(
        "Package: govanalytics-probe\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: t <t@example.org>\nDescription: probe\n"
    )
    debs = tmp_path / "debs"
    debs.mkdir()
    deb = debs / "govanalytics-probe_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(pkg), str(deb)],
                   check=True, capture_output=True)  # fmt: skip
    text = bundle.write_packages_index(debs).read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    assert fields["Package"] == "govanalytics-probe"
    assert fields["Filename"] == f"./{deb.name}"
    assert fields["Size"] == str(deb.stat().st_size)
    assert fields["SHA256"] == hashlib.sha256(deb.read_bytes()).hexdigest()


def test_bundle_name_carries_python_and_architecture(bundle) -> None:
    plat = bundle.platform_tag()
    assert f"-cp{sys.version_info.major}{sys.version_info.minor}-" in plat
    name = bundle.bundle_name("0.1.0", plat)
    assert name.startswith("govanalytics-offline-0.1.0-")
    assert name.endswith(os.uname().machine)

"""A throwaway PostgreSQL server for the tests and the benchmark.

``initdb`` in a fresh temporary folder, ``pg_ctl start`` on a free port with its unix socket in
that folder (no TCP listener), trust authentication (nothing outside the folder can reach
it), stopped and deleted by :meth:`Server.stop`. PostgreSQL refuses to run as root: as root
the server runs as the ``postgres`` system user (Debian's package creates it) through
``runuser``; as anyone else, as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").is_file() and Path(folder, "pg_ctl").is_file():
            return Path(folder)
    return None


def why_unavailable() -> str | None:
    """Why no throwaway server can be started here (None when it can)."""
    if find_bin_dir() is None:
        return "PostgreSQL not found (initdb/pg_ctl; Debian package 'postgresql')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and no 'postgres' system user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root without runuser to drop to the 'postgres' user"
    try:
        import adbc_driver_postgresql  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError:
        return "the db extra is not installed (pip install -e '.[db]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running throwaway server; :attr:`url` connects as its superuser."""

    folder: Path
    port: int
    bin_dir: Path

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, *, user: str = "postgres", database: str = "govanalytics") -> str:
        """A libpq URL over the unix socket (no password: trust authentication)."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=self.folder)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server:
    """initdb + pg_ctl start in a new temporary folder; a RuntimeError with the log on failure."""
    reason = why_unavailable()
    if reason:
        raise RuntimeError(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    folder = Path(tempfile.mkdtemp(prefix="govanalytics-pg-"))
    (folder / "socket").mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (folder, folder / "socket"):
            os.chown(path, user.pw_uid, user.pw_gid)
    server = Server(folder, _free_port(), bin_dir)
    steps = [
        (
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ),
        (
            "pg_ctl",
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            f"-p {server.port} -k {server.socket_dir} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ),
    ]
    for step in steps:
        done = server._run(*step)
        if done.returncode != 0:
            log = folder / "server.log"
            tail = log.read_text()[-2000:] if log.is_file() else ""
            shutil.rmtree(folder, ignore_errors=True)
            msg = f"{step[0]} failed: {done.stdout}{done.stderr}{tail}"
            raise RuntimeError(msg)
    import psycopg

    with psycopg.connect(server.url(database="postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE govanalytics")
    return server

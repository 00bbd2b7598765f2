"""Scratch PostgreSQL clusters for the tests that need a second server (restore drill, standby).

Each lives in a temporary folder, listens on a free port of 127.0.0.1 with trust auth and is
stopped by ``stop()`` (the fixtures do it). PostgreSQL refuses to run as root, so as root the
server programs run as the ``postgres`` system user.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = os.environ.get("PG_SERVER_USER", "postgres")


def as_server_user(command: list[str]) -> list[str]:
    """The command as the system user that runs PostgreSQL (itself when not root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *command]
    return command


def give_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, SERVER_USER, SERVER_USER)


def scratch_folder(prefix: str = "coop-pg-") -> Path:
    """A new folder for clusters, straight under /tmp: pytest's tmp_path sits below folders only
    root may enter, where the server user could not reach its data."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def conf_literal(value: str) -> str:
    """A string setting as postgresql.conf writes it ('...' with quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchCluster:
    def __init__(self, root: Path, name: str = "primary"):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        give_to_server_user(self.root)
        self.datadir = self.root / name
        self.logfile = self.root / f"{name}.log"
        self.port = free_port()

    def run(self, *command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(as_server_user(list(command)), check=check, capture_output=True, text=True, **kwargs)

    def initdb(self, **settings: str) -> "ScratchCluster":
        self.run(str(PG_BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8")
        self.configure(**settings)
        return self

    def configure(self, **settings: str) -> None:
        """Lines for postgresql.conf; the port and socket folder are always this cluster's."""
        lines = {"port": str(self.port), "listen_addresses": "'127.0.0.1'",
                 "unix_socket_directories": f"'{self.root}'", "fsync": "off", **settings}
        conf = self.datadir / "postgresql.conf"
        text = "\n".join(f"{key} = {value}" for key, value in lines.items())
        self.run("sh", "-c", f"cat >> {conf} <<'EOF'\n{text}\nEOF")

    def start(self, timeout: int = 60) -> "ScratchCluster":
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile), "-w",
                 "-t", str(timeout), "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.datadir / "postmaster.pid").exists():
            self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop", check=False)

    def is_running(self) -> bool:
        return self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "status", check=False).returncode == 0

    def wipe(self) -> None:
        """The cluster is lost: server stopped at once, data folder gone."""
        self.stop("immediate")
        shutil.rmtree(self.datadir)

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def connect(self, user: str = "postgres", database: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url(user, database), **kwargs)

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run(str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL on port {self.port} did not accept connections; see {self.logfile}")

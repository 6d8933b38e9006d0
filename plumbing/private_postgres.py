"""The private Postgres server ordersight starts for itself when no database is configured.

Binaries come from the `pgserver` wheel, so no system Postgres is needed. The data lives under
`<home>/pgdata`; the server listens on 127.0.0.1 on a port picked once and asks for a password
made at initialisation (scram-sha-256), both remembered in `<home>/postgres.json` (mode 0600),
so other local users cannot log in. Postgres refuses to run as root, so as root the server runs as a
dedicated system user (`ordersight`), created on first use.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

SERVICE_USER = "ordersight"
DATABASE = "ordersight"
SUPERUSER = "ordersight"


class PrivatePostgresError(RuntimeError):
    """The private server could not be initialised, started or stopped."""


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        raise PrivatePostgresError("the pgserver package (Postgres binaries) is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )


def _make_traversable(path: Path) -> None:
    """Let the service user reach `path`: add o+x to it and every parent."""
    for part in [path, *path.parents]:
        mode = part.stat().st_mode
        if not mode & stat.S_IXOTH:
            part.chmod(mode | stat.S_IXOTH)


def _make_readable_tree(path: Path) -> None:
    for root, dirs, files in os.walk(path):
        for name in dirs:
            p = Path(root) / name
            p.chmod(p.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            p = Path(root) / name
            mode = p.stat().st_mode
            p.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))


@dataclass(frozen=True)
class PrivatePostgres:
    """A Postgres cluster owned by this project, rooted at `home`."""

    home: Path
    fast: bool = False

    @property
    def data_dir(self) -> Path:
        return self.home / "pgdata"

    @property
    def state_file(self) -> Path:
        return self.home / "postgres.json"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    def _state(self) -> dict[str, object]:
        """Port and password, made once; a cluster made before passwords has none (trust)."""
        state: dict[str, object] = (
            json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        )
        missing = "port" not in state or ("password" not in state and not self.initialised())
        if missing:
            state.setdefault("port", _free_port())
            if not self.initialised():
                state.setdefault("password", secrets.token_urlsafe(24))
            self.home.mkdir(parents=True, exist_ok=True)
            draft = self.state_file.with_name(f".{self.state_file.name}.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(state, handle)
            os.replace(draft, self.state_file)
        return state

    def _port(self) -> int:
        return int(self._state()["port"])

    def url(self) -> str:
        password = self._state().get("password")
        login = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{login}@127.0.0.1:{self._port()}/{DATABASE}"

    def display_url(self) -> str:
        """The URL with its password masked, for messages and logs."""
        login = f"{SUPERUSER}:***" if self._state().get("password") else SUPERUSER
        return f"postgresql://{login}@127.0.0.1:{self._port()}/{DATABASE}"

    def _password_file(self) -> Path:
        """The password for initdb, readable by the server's user only; removed after use."""
        path = self.home / "initdb.pw"
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(str(self._state()["password"]))
        if _running_as_root():
            shutil.chown(path, SERVICE_USER, SERVICE_USER)
        return path

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        command = [str(_bin_dir() / args[0]), *args[1:]]
        if _running_as_root():
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def _prepare_permissions(self) -> None:
        if not _running_as_root():
            return
        _ensure_service_user()
        bin_dir = _bin_dir()
        _make_traversable(bin_dir)
        _make_readable_tree(bin_dir.parent)
        _make_traversable(self.home)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.data_dir, SERVICE_USER, SERVICE_USER)
        self.log_file.touch()
        shutil.chown(self.log_file, SERVICE_USER, SERVICE_USER)

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.initialised():
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.data_dir)]).returncode == 0

    def start(self) -> str:
        """Initialise if needed, start if stopped, make sure the database exists; return the URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not self.initialised():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            password_file = self._password_file()
            try:
                done = self._run(
                    [
                        "initdb",
                        "-D",
                        str(self.data_dir),
                        "-U",
                        SUPERUSER,
                        "--auth=scram-sha-256",
                        f"--pwfile={password_file}",
                        "--encoding=UTF8",
                        "--locale=C",
                        "--no-instructions",
                    ]
                )
            finally:
                password_file.unlink(missing_ok=True)
            if done.returncode != 0:
                raise PrivatePostgresError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        if not self.is_running():
            options = f"-h 127.0.0.1 -p {self._port()} -k ''"
            if self.fast:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            done = self._run(
                [
                    "pg_ctl",
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                ]
            )
            if done.returncode != 0:
                log = self.log_file.read_text() if self.log_file.exists() else ""
                raise PrivatePostgresError(
                    f"could not start the private Postgres:\n{done.stderr}\n{log[-2000:]}"
                )
        self._ensure_database()
        return self.url()

    def _ensure_database(self) -> None:
        admin = self.url().rsplit("/", 1)[0] + "/postgres"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                    exists = conn.execute(
                        "select 1 from pg_database where datname = %s", (DATABASE,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'create database "{DATABASE}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> bool:
        """Stop the server; return whether one was running."""
        if not self.is_running():
            return False
        done = self._run(["pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir)])
        if done.returncode != 0:
            raise PrivatePostgresError(f"pg_ctl stop failed:\n{done.stderr}")
        return True

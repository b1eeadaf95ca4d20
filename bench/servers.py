"""Real server processes for the benchmark and the multi-process tests.

Shared by `bench/chat_fanout.py` and `tests/multiprocess/`: free loopback ports, the server
command of each mode (the production one is what `make serve` runs), start / health check /
kill -9 / restart of one server, a signed Flask session cookie for a member (what the login
form would have set), and throw-away PostgreSQL databases. Everything here is bounded in time
and talks to loopback addresses only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# `werkzeug` is the embedded default (`make run`: flask run, threads, simple-websocket);
# `gevent` and `threading` are gunicorn with one worker (`make serve`, gunicorn.conf.py).
MODES = ("werkzeug", "gevent", "threading")
PRODUCTION_MODE = "gevent"


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_command(mode: str, port: int, *, bare: bool = False) -> list[str]:
    """The command line that serves the application (or the bare baseline) on `port`."""
    if mode == "werkzeug":
        if bare:
            return [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port", str(port)]
        return [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", HOST,
                "--port", str(port), "--no-reload", "--no-debugger"]
    if mode in ("gevent", "threading"):
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        return command + (["bench.bare_server:app"] if bare else [])
    raise ValueError(f"unknown server mode {mode!r}; one of {', '.join(MODES)}")


def server_env(mode: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST_"))}
    env.update({
        "PORT": str(port),
        "HOST": HOST,
        "BASE_URL": f"http://{HOST}:{port}",
        "SOCKETIO_ASYNC_MODE": "gevent" if mode == "gevent" else "threading",
        "PYTHONUNBUFFERED": "1",
        "FLASK_APP": "wsgi",
    })
    env.update(extra or {})
    return env


class ServerProcess:
    """One server process (and its children, in their own process group) on a fixed port."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int,
                 log_path: Path):
        self.name, self.command, self.env, self.port = name, command, env, port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== {self.name} start #{self.starts + 1}: "
                      f"{' '.join(self.command)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        self.wait_healthy(timeout)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
                    last_error = f"HTTP {response.status}"
            except (OSError, urllib.error.URLError) as error:
                last_error = str(error)
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"{self.name} not healthy after {timeout:.0f} s ({last_error}):\n"
                           f"{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 10.0) -> None:
        """Signal the whole process group (gunicorn master and worker alike) and reap it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        """SIGTERM first (a clean shutdown), SIGKILL after a few seconds."""
        self.kill(signal.SIGTERM, timeout=5.0)
        self.kill(signal.SIGKILL)

    def restart(self, timeout: float = 30.0) -> ServerProcess:
        self.kill()
        return self.start(timeout)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the processes of the server's group."""
        if self.proc is None:
            return 0.0
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # process group
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def log_tail(self, chars: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text[-chars:]


def session_cookie(secret_key: str, session_id: str) -> str:
    """The signed `session` cookie the login form would have set for a member.

    `session_id` is `User.get_id()` ("<id>:<session token>"), what Flask-Login stores.
    """
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    signer_app = Flask("cookie-signer")
    signer_app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer_app)
    return serializer.dumps({"_user_id": session_id, "_fresh": True})


def _admin_conninfo(server_url: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def create_pg_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server of `server_url`; return its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_admin_conninfo(server_url), autocommit=True,
                         connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_pg_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(server_url), autocommit=True,
                         connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flask_cli(args: list[str], env: dict[str, str], timeout: float = 120.0) -> str:
    """Run `flask --app wsgi ARGS` (migrations, CLI commands) and return its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr

"""Processes for drills: a private redis-server on a free port, Celery workers and beat, gunicorn —
each started here, remembered by PID and stopped by PID (never by name: the machine is shared).

Used by `make drill` (bench/drill.py) and by the shortened drills in the test suite
(tests/security/test_drills_celery.py)."""

# ruff: noqa: S603 - fixed commands of our own
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Proc:
    """One child process in its own process group; stop() ends exactly that group."""

    def __init__(self, name: str, args: list[str], *, env: dict | None = None, log_dir: Path | None = None) -> None:
        self.name, self.args = name, args
        self.env = {**os.environ, **(env or {})}
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="opsdesk-drill-"))
        self.log_path = self.log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        self.log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        """SIGKILL the whole group (a worker and its pool children), as a crash would."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)
        self.log.close()

    def stop(self, timeout: float = 20) -> None:
        if self.popen is None:
            return
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(10)
        if not self.log.closed:
            self.log.close()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class RedisServer:
    """A private redis-server on a free port (no persistence), stopped and restarted by PID."""

    def __init__(self, port: int | None = None, log_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_dir = log_dir
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = Proc(f"redis-{self.port}", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                                "--save", "", "--appendonly", "no"], log_dir=self.log_dir).start()
        if not wait_for(lambda: port_open(self.port), 10):
            raise RuntimeError(f"redis-server did not start on {self.port}: {self.proc.tail()}")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            wait_for(lambda: not port_open(self.port), 10)


def celery_worker(name: str, env: dict, *, queues: str | None = None, log_dir: Path | None = None, pool: str = "solo") -> Proc:
    args = [PY, "-m", "celery", "-A", "opsdesk", "worker", "-n", f"{name}@%h", "-c", "1", "-P", pool,
            "--without-gossip", "--without-mingle", "-l", "info"]
    if queues:
        args += ["-Q", queues]
    return Proc(name, args, env=env, log_dir=log_dir).start()


def celery_beat(env: dict, *, log_dir: Path) -> Proc:
    schedule = log_dir / "celerybeat-schedule"
    return Proc("beat", [PY, "-m", "celery", "-A", "opsdesk", "beat", "-l", "info", "-s", str(schedule)],
                env=env, log_dir=log_dir).start()

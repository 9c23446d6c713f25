"""Real server processes for tests: start one on a free port, wait for it, stop it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nothing listens on now (the OS picks it for a socket bound to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_PIDS: dict[str, int] = {}


def server_pid(url: str) -> int:
    """The process id of the running server at ``url``."""
    return _PIDS[url]


@contextmanager
def running_server(
    command: list[str],
    port: int,
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    startup: float = 120.0,
    health: str = "/health",
) -> Iterator[str]:
    """Run ``command`` (a server listening on ``port``) until the block ends; yield its URL.

    The server counts as up once ``health`` answers; its output goes to ``log``, which a
    failure shows.
    """
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    try:
        _wait_until_up(url, health, process, log, startup)
        _PIDS[url] = process.pid
        yield url
    finally:
        _PIDS.pop(url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(
    url: str, health: str, process: subprocess.Popen[bytes], log: Path, startup: float
) -> None:
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}{health}", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server did not answer within {startup}s:\n{log.read_text()}")


def fetch(request: urllib.request.Request) -> tuple[int, str, str]:
    """Status, Content-Type and decoded body, for error statuses too."""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()

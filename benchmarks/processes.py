"""The child processes the bench starts (mocks, gunicorn, Celery, Locust) and HTTP helpers."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from typing import Any

from benchmarks.config import BIN, MOCKS_START_DATE, ROOT, VAR


class Processes:
    """Every child process the bench starts, each in its own process group, stopped at exit."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        out = (VAR / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((name, process))

    def sessions(self) -> dict[int, str]:
        """Each running process's session id (its pid: started with start_new_session) and
        name, for the CPU meter (benchmarks.cpu)."""
        return {p.pid: n for n, p in self.running if p.poll() is None}

    def alive(self, name: str) -> bool:
        return any(n == name and p.poll() is None for n, p in self.running)

    def stop(self, name: str | None = None) -> None:
        for entry in [e for e in reversed(self.running) if name in (None, e[0])]:
            _, process = entry
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            self.running.remove(entry)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, processes: Processes, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not processes.alive(name):
            raise RuntimeError(f"{name} exited; see {VAR / (name + '.log')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s")


def post_json(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def mocks_start(processes: Processes, url: str, customers: int, seed: str) -> None:
    """The legacy mocks on `url` (a free port: `free_port`) with `customers` customers on their
    fixed day 0; returns once they answer."""
    processes.start(
        "mocks",
        [
            str(BIN / "python"),
            "-m",
            "legacy_mocks",
            "serve",
            "--port",
            url.rsplit(":", 1)[1],
            "--customers",
            str(customers),
            "--seed",
            seed,
            "--start-date",
            MOCKS_START_DATE,
        ],
    )
    wait_for(f"{url}/_control/clock", processes, "mocks")


def celery_worker_args(*, concurrency: int, name: str | None = None) -> list[str]:
    """A Celery worker on every queue (the sync pages' per-source queues and the default)."""
    named = ["-n", f"{name}@%h"] if name else []
    return [
        str(BIN / "celery"),
        *("-A", "dwpportal", "worker", "-l", "WARNING", "-c", str(concurrency)),
        *named,
    ]


def workers_wait(names: list[str], processes: Processes, timeout: float = 180) -> None:
    """Until the Celery workers started under `names` all answer a ping (so a timed sync does
    not include their start-up); fails if one exits first."""
    from dwpportal.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in names:
            if not processes.alive(name):
                raise RuntimeError(f"Celery worker {name} exited; see {VAR / (name + '.log')}")
        if len(app.control.ping(timeout=1.0)) >= len(names):
            return
    raise RuntimeError(f"{len(names)} Celery workers did not answer within {timeout:.0f} s")

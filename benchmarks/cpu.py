"""CPU time the bench's own processes use while a phase runs, read from /proc (Linux).

"Throughput per core" is what a phase did divided by the CPU-seconds it cost, measured rather
than assumed: the machine is shared, so its load average says nothing about our share. A thread
samples /proc every `interval` seconds and keeps, per process, its CPU time (utime + stime)
when first and last seen:

- the processes the bench started (each in its own session: mocks, Celery workers, gunicorn)
  and everything they forked, grouped by the name they were started under;
- the PostgreSQL backends connected to the bench's databases (their process title names the
  database), autovacuum workers on those databases and parallel workers of those backends;
- PgBouncer, when running (the web phases reach PostgreSQL through it);
- the harness itself (the inline sync runs in it), less the sampling thread.

What it cannot see: CPU a process spends after its last sample before exiting (at most one
interval per short-lived process), and PostgreSQL's shared background processes (WAL writer,
checkpointer), which every database on the cluster uses.
"""

import os
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
HARNESS, POSTGRES, PGBOUNCER = "harness", "postgres", "pgbouncer"


@dataclass(frozen=True)
class ProcStat:
    pid: int
    comm: str
    session: int
    ticks: int  # utime + stime, in clock ticks
    started: int  # clock ticks after boot


def stat_parse(pid: int, text: str) -> ProcStat:
    """One /proc/<pid>/stat line (the command name is in parentheses and may hold spaces)."""
    opening, closing = text.index("("), text.rindex(")")
    rest = text[closing + 2 :].split()
    # rest[0] is field 3 (state): session is field 6, utime 14, stime 15, starttime 22.
    return ProcStat(
        pid=pid,
        comm=text[opening + 1 : closing],
        session=int(rest[3]),
        ticks=int(rest[11]) + int(rest[12]),
        started=int(rest[19]),
    )


def postgres_title_database(title: str) -> str | None:
    """The database a PostgreSQL process works on, from its title ("postgres: user db host
    state", "postgres: autovacuum worker db"); None for anything else."""
    words = title.replace("\0", " ").split()
    if not words or words[0] != "postgres:":
        return None
    if words[1:3] == ["autovacuum", "worker"]:
        return words[3] if len(words) > 3 else None
    if words[1:4] == ["parallel", "worker", "for"] or words[1] in ("background", "logical"):
        return None
    return words[2] if len(words) > 2 else None


def parallel_leader(title: str) -> int | None:
    """The leader's pid of a parallel query worker ("postgres: parallel worker for PID 123")."""
    words = title.replace("\0", " ").split()
    if words[:5] == ["postgres:", "parallel", "worker", "for", "PID"] and len(words) > 5:
        return int(words[5]) if words[5].isdigit() else None
    return None


@dataclass
class CpuTally:
    """Per process (pid and start time, so a reused pid is another process): its group, its CPU
    ticks when first seen (0 if it started after the phase began) and when last seen."""

    started_at: int  # clock ticks after boot when the phase began
    seen: dict[tuple[int, int], list[Any]] = field(default_factory=dict)

    def add(self, stat: ProcStat, group: str) -> None:
        key = (stat.pid, stat.started)
        entry = self.seen.get(key)
        if entry is None:
            baseline = stat.ticks if stat.started < self.started_at else 0
            self.seen[key] = [group, baseline, stat.ticks]
        else:
            entry[2] = max(entry[2], stat.ticks)

    def seconds(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for group, first, last in self.seen.values():
            totals[group] = totals.get(group, 0.0) + (last - first) / TICKS
        return totals


@dataclass(frozen=True)
class CpuUse:
    """What one phase cost: wall seconds, CPU-seconds per group of processes, and the whole
    machine's busy CPU-seconds over the same time (ours and everyone else's)."""

    wall: float
    seconds: dict[str, float]
    machine_busy: float
    cores: int

    def cpu(self, groups: Collection[str]) -> float:
        """CPU-seconds of these groups (a group named "worker" also takes "worker-1", …)."""
        return sum(
            value
            for name, value in self.seconds.items()
            if name in groups or name.split("-")[0] in groups
        )

    def cores_used(self, groups: Collection[str]) -> float:
        return self.cpu(groups) / self.wall if self.wall else 0.0

    def per_core_second(self, count: float, groups: Collection[str]) -> float | None:
        """`count` (requests, rows) per CPU-second of these groups: the throughput of one core."""
        cpu = self.cpu(groups)
        return count / cpu if cpu else None


def _machine_busy_ticks() -> int:
    fields = [int(x) for x in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal


def _uptime_ticks() -> int:
    return int(float((PROC / "uptime").read_text().split()[0]) * TICKS)


class CpuMeter:
    """`with CpuMeter(sessions, databases) as meter: …` then `meter.use` (a CpuUse).

    `sessions` maps the session id of each process the bench started (its pid: they are started
    with start_new_session) to a group name.
    """

    def __init__(
        self,
        sessions: Mapping[int, str],
        databases: Collection[str],
        *,
        interval: float = 0.5,
    ) -> None:
        self.sessions = dict(sessions)
        self.databases = set(databases)
        self.interval = interval
        self.own_pid = os.getpid()
        self.tally = CpuTally(started_at=0)
        self.ignored: set[tuple[int, int]] = set()
        self.backends: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-cpu-meter", daemon=True)
        self._thread_cpu = 0.0
        self.use: CpuUse | None = None

    def __enter__(self) -> "CpuMeter":
        self.tally = CpuTally(started_at=_uptime_ticks())
        self._busy = _machine_busy_ticks()
        self._wall = time.monotonic()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        wall = time.monotonic() - self._wall
        seconds = self.tally.seconds()
        if HARNESS in seconds:  # the sampling thread is not the harness's work
            seconds[HARNESS] = max(0.0, seconds[HARNESS] - self._thread_cpu)
        self.use = CpuUse(
            wall=wall,
            seconds=seconds,
            machine_busy=(_machine_busy_ticks() - self._busy) / TICKS,
            cores=os.cpu_count() or 1,
        )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()
        self._thread_cpu = time.thread_time()

    def _group(self, stat: ProcStat) -> str | None:
        """The process's group; None if not ours; "" if it cannot be told yet (a PostgreSQL
        backend names its database in its title only once the client has said which)."""
        if stat.pid == self.own_pid:
            return HARNESS
        if stat.session in self.sessions:
            return self.sessions[stat.session]
        if stat.comm == PGBOUNCER:
            return PGBOUNCER
        if stat.comm != POSTGRES:
            return None
        try:
            title = (PROC / str(stat.pid) / "cmdline").read_text()
        except OSError:
            return None
        if postgres_title_database(title) in self.databases or (
            parallel_leader(title) in self.backends
        ):
            self.backends.add(stat.pid)
            return POSTGRES
        return None if title.startswith("postgres:") else ""

    def _sample(self) -> None:
        for entry in os.scandir(PROC):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                stat = stat_parse(pid, (PROC / entry.name / "stat").read_text())
            except (OSError, ValueError, IndexError):
                continue  # exited while we looked
            key = (pid, stat.started)
            if key in self.ignored:
                continue
            if key in self.tally.seen:
                self.tally.add(stat, self.tally.seen[key][0])
                continue
            group = self._group(stat)
            if group:
                self.tally.add(stat, group)
            elif group is None:
                self.ignored.add(key)


# A new CpuMeter over the bench's processes and database, made where a phase starts.
Meter = Callable[[], CpuMeter]

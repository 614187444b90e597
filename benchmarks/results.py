"""What a bench run found, the machine and code it ran on, and its JSON form in var/bench/ (so
the report can be rendered again: `python -m benchmarks.report`)."""

import dataclasses
import datetime as dt
import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.config import ROOT
from benchmarks.cpu import CpuUse
from benchmarks.stats import Latency


@dataclass
class Results:
    """Everything measured at one size."""

    customers: int = 0
    machine: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Latency] = field(default_factory=dict)
    search_floor: dict[str, Latency] = field(default_factory=dict)
    search_nojs: dict[str, Latency] = field(default_factory=dict)
    admin: dict[str, Latency] = field(default_factory=dict)
    hits: dict[str, float] = field(default_factory=dict)
    admin_hits: dict[str, float] = field(default_factory=dict)
    page: dict[str, Any] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    disk: dict[str, Any] = field(default_factory=dict)  # benchmarks.disk.disk_summary
    cpu: dict[str, CpuUse] = field(default_factory=dict)  # per phase: what it cost in CPU


@dataclass
class Run:
    """One `make bench`: every size measured, and the sync timed with 1, 2 and 4 workers."""

    settings: dict[str, Any] = field(default_factory=dict)  # the BenchConfig, less the password
    machine: dict[str, Any] = field(default_factory=dict)
    sizes: dict[int, Results] = field(default_factory=dict)
    # {N: [{"workers": k, "seconds": …, "rows": …, "cpu": CpuUse, …}, …]}
    scaling: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


_TYPES: dict[str, type] = {cls.__name__: cls for cls in (Latency, CpuUse, Results, Run)}


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime):
        return {"__type__": "datetime", "iso": value.isoformat()}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _TYPES:
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    raise TypeError(f"{type(value).__name__} cannot be saved with the bench results")


def _decode(obj: dict[str, Any]) -> object:
    kind = obj.pop("__type__", None)
    if kind is None:
        return obj
    if kind == "datetime":
        return dt.datetime.fromisoformat(obj["iso"])
    value = _TYPES[kind](**obj)
    if isinstance(value, Run):  # JSON object keys are strings; sizes are numbers
        value.sizes = {int(n): r for n, r in value.sizes.items()}
        value.scaling = {int(n): rows for n, rows in value.scaling.items()}
    return value


def results_dumps(value: object) -> str:
    """JSON of a Run, a Results or anything made of them, dicts, lists and numbers."""
    return json.dumps(value, default=_encode, indent=1, sort_keys=True)


def results_loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


def tree_describe() -> str:
    """The commit measured, and whether the working tree had uncommitted changes (it is shared)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    dirty = f" + {len(changed)} uncommitted paths in the shared tree" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD')}{dirty}"


def machine_describe() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "cores": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "ram_gb": round(total_kb / 1024 / 1024, 1),
        "load_average": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "tree": tree_describe(),
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }

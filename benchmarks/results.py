"""What a bench run found (saved with pickle so the report can be rendered again) and the machine
and code it ran on."""

import datetime as dt
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.config import ROOT
from benchmarks.stats import Latency


@dataclass
class Results:
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

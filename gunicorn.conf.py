"""gunicorn's settings file (read from the working directory): Prometheus across workers.

Each worker process writes its request-latency samples to PROMETHEUS_MULTIPROC_DIR, so /metrics
answers for all of them whichever worker the scraper reaches (dwpportal/metrics.py). The folder
is emptied when gunicorn starts and a dead worker's live gauges are dropped.
"""

import os
import shutil
import tempfile
from typing import Any

_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(
    tempfile.gettempdir(), f"dwpportal-metrics-{os.getpid()}"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _folder


def on_starting(server: Any) -> None:
    shutil.rmtree(_folder, ignore_errors=True)
    os.makedirs(_folder, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

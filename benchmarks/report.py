"""docs/benchmarks.md from a bench run's results: how each figure grows with N, the sync with
1, 2 and 4 workers, and every figure at the largest size beside its floor, goal and ratio."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.config import FULL_SCALE
from benchmarks.cpu import PGBOUNCER, POSTGRES
from benchmarks.growth import GrowthRow, growth_table
from benchmarks.queries import KIND_LABELS, KINDS
from benchmarks.results import Results, Run
from benchmarks.stats import Latency, ratio
from benchmarks.sync import sync_groups

GOAL_PAGE_P95_MS = 150
# Every kind of search a colleague makes has the same goal (p95 under 100 ms at 1,000,000).
SEARCH_GOAL_KINDS = (
    "nino", "misspelt_surname", "name_dob", "postcode", "surname_alone", "first_name_alone",
)  # fmt: skip


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:,.1f} ms"


def _spread(latency: Latency, p99: bool = True) -> str:
    text = f"p50 {_ms(latency.p50)} / p95 {_ms(latency.p95)}"
    return text + (f" / p99 {_ms(latency.p99)}" if p99 else "")


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}x"


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**MISSED**")


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed: list[str] = []

    def add(
        self,
        area: str,
        figure: str,
        measured: str,
        floor: str = "—",
        times: float | None = None,
        goal: str = "—",
        met: bool | None = None,
    ) -> None:
        self.rows.append((area, figure, measured, floor, _times(times), goal, _verdict(met)))
        if met is False:
            self.missed.append(f"{area}: {figure} is {measured} (goal {goal})")

    def markdown(self) -> str:
        head = ("area", "figure", "measured", "floor / baseline", "ratio", "goal", "verdict")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def _sync_rows(table: Table, sync: dict[str, Any], n: int) -> None:
    load_goal = 15 * 60 * n / FULL_SCALE
    seconds, rows = sync["load_seconds"], sync["load_rows"]
    rate = rows / seconds
    scaled = "" if n == FULL_SCALE else f" (15 min at 1M, scaled to {n:,})"
    table.add(
        "sync",
        f"initial load: {n:,} customers, {rows:,} rows ({sync['load_mode']})",
        f"{seconds:,.1f} s ({seconds / 60:.1f} min)",
        goal=f"< {load_goal:,.0f} s{scaled}",
        met=seconds < load_goal,
    )
    copy_rate = sync["copy_rows"] / sync["copy_seconds"]
    when = (
        ""
        if sync.get("fresh")
        else " (load timed when the dataset was built, COPY in this run: BENCH_REBUILD=1 "
        "times both in one run)"
    )
    history = sync.get("copy_history_rows")
    triggers = f", {history:,} history rows by the triggers" if history is not None else ""
    table.add(
        "sync",
        f"initial load rows/s vs PostgreSQL COPY of the same rows into the same tables{when}",
        f"{rate:,.0f} rows/s",
        f"COPY {copy_rate:,.0f} rows/s "
        f"({sync['copy_rows']:,} rows in {sync['copy_seconds']:.1f} s{triggers})",
        ratio(rate, copy_rate),
        "≥ 0.25x COPY",
        rate >= 0.25 * copy_rate,
    )
    if sync.get("copy_temp_seconds"):
        temp_rate = sync["copy_rows"] / sync["copy_temp_seconds"]
        table.add(
            "sync",
            "initial load rows/s vs COPY into temporary copies of the tables (no WAL, "
            "triggers or foreign keys; a stricter floor than the goal's)",
            f"{rate:,.0f} rows/s",
            f"COPY {temp_rate:,.0f} rows/s ({sync['copy_temp_seconds']:.1f} s)",
            ratio(rate, temp_rate),
        )
    naive_rate = sync["naive_rows"] / sync["naive_seconds"]
    table.add(
        "sync",
        "initial load rows/s vs per-row update_or_create",
        f"{rate:,.0f} rows/s",
        f"update_or_create {naive_rate:,.0f} rows/s ({sync['naive_rows']:,}-row sample)",
        ratio(rate, naive_rate),
        "≥ 20x",
        rate >= 20 * naive_rate,
    )
    inc = sync["incremental"]
    share = 100 * inc["changed_records"] / n
    table.add(
        "sync",
        f"incremental sync: {inc['changed_records']:,} changed records ({share:.2f}% of "
        f"customers), {inc['fetched']:,} fetched, {inc['written']:,} written",
        f"{inc['seconds']:,.1f} s",
        goal="< 30 s",
        met=inc["seconds"] < 30 and not inc["failed"],
    )


def _search_rows(table: Table, r: Any) -> None:
    for kind in (*KINDS, "all"):
        label = KIND_LABELS.get(kind, "all kinds")
        latency, floor = r.search[kind], r.search_floor[kind]
        found = f"; found {100 * r.hits[kind]:.0f}%" if kind in r.hits else ""
        goal_applies = kind in SEARCH_GOAL_KINDS or kind == "all"
        table.add(
            "search",
            f"{label} — live search through the view over HTTP ({latency.count} queries)",
            _spread(latency) + found,
            f"raw SQL p95 {_ms(floor.p95)}",
            ratio(latency.p95, floor.p95),
            "p95 < 100 ms" if goal_applies else "— (no goal stated)",
            latency.p95 < 100 if goal_applies else None,
        )
    for kind in KINDS:
        if kind in r.search_nojs:
            table.add(
                "search",
                f"{KIND_LABELS[kind]} — without JavaScript (POST, then the results page)",
                _spread(r.search_nojs[kind], p99=False),
                f"live p95 {_ms(r.search[kind].p95)}",
                ratio(r.search_nojs[kind].p95, r.search[kind].p95),
            )
    for kind in (*KINDS, "all"):
        if kind not in r.admin:
            continue
        found = f"; found {100 * r.admin_hits[kind]:.0f}%" if kind in r.admin_hits else ""
        table.add(
            "search",
            f"{KIND_LABELS.get(kind, 'all kinds')} — Django admin changelist search "
            f"({r.admin[kind].count} queries)",
            _spread(r.admin[kind], p99=False) + found,
            f"portal live p95 {_ms(r.search[kind].p95)}",
            ratio(r.admin[kind].p95, r.search[kind].p95),
        )


def _page_rows(table: Table, page: dict[str, Any]) -> None:
    floor = page["floor"]
    groups = (
        (
            "all",
            f"GET the customer page ({page['sample_size']} seeded + {page['busiest_size']} "
            "busiest)",
        ),
        ("busiest", f"busiest customers only (most payments / events, {page['busiest_size']})"),
    )
    for key, figure in groups:
        table.add(
            "customer page",
            figure,
            _spread(page[key], p99=False),
            f"one-query view {_spread(floor, p99=False)}",
            ratio(page[key].p95, floor.p95),
            f"p95 < {GOAL_PAGE_P95_MS} ms",
            page[key].p95 < GOAL_PAGE_P95_MS,
        )
    table.add(
        "customer page",
        "SQL queries per page (median / max, incl. session, audit, visit)",
        f"{page['queries_median']} / {page['queries_max']}",
        f"one-query view: {', '.join(map(str, page['floor_queries']))}",
    )


def _load_rows(table: Table, load: dict[str, Any], users: int, seconds: int) -> None:
    errors = load["failures"] + load.get("exceptions", 0)
    error_rate = errors / load["requests"] if load["requests"] else 1.0
    table.add(
        "load",
        f"Locust: {users} colleagues for {seconds} s (search 5 : view 4 : record 1; "
        "1-3 s think time)",
        f"{load['throughput']:,.1f} req/s ({load['requests']:,} requests)",
    )
    table.add(
        "load", "p50 / p95 under load, all requests", f"{_ms(load['p50'])} / {_ms(load['p95'])}"
    )
    table.add(
        "load",
        "error rate",
        f"{100 * error_rate:.2f}% ({load['failures']} failed requests, "
        f"{load.get('exceptions', 0)} errors in the simulated colleagues)",
        goal="0%",
        met=errors == 0,
    )
    for name, (count, p95) in sorted(load["by_task"].items()):
        table.add("load", f"p95 under load: {name} ({count:,} requests)", _ms(p95))


# The server's processes in the web phases (the client, the harness or Locust, is not counted).
WEB_GROUPS = ("gunicorn", POSTGRES, PGBOUNCER)
LOAD_GROUPS = (*WEB_GROUPS, "worker")  # interactions recorded under load queue Celery tasks


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB"


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _load_rate(r: Results) -> float:
    return r.sync["load_rows"] / r.sync["load_seconds"]


def _search_p95(kind: str) -> Callable[[Results], float]:
    return lambda r: r.search[kind].p95


def _per_customer(key: str) -> Callable[[Results], float]:
    return lambda r: r.disk["per_customer"][key]


def _seconds(value: float) -> str:
    return f"{value:,.1f} s"


def _cores(value: float) -> str:
    return f"{value:.2f}"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _cpu_rows(
    area: str, phase: str, done: str, count: Callable[[Results], float], groups: tuple[str, ...]
) -> list[GrowthRow]:
    """What one core does in a phase (`count` per CPU-second of `groups`), and the cores used."""
    who = " + ".join(groups)
    return [
        GrowthRow(
            area,
            f"{done} per core-second ({who})",
            lambda r: r.cpu[phase].per_core_second(count(r), groups),
            _rate,
        ),
        GrowthRow(
            area, f"cores used: {phase} ({who})", lambda r: r.cpu[phase].cores_used(groups), _cores
        ),
    ]


def _growth_rows(mode: str) -> list[GrowthRow]:
    """Every figure of the growth table, in the order shown."""
    sync = sync_groups(mode)
    per = "per portal customer"
    return [
        GrowthRow(
            "sync",
            "initial load through the real sync (timed when the dataset was built)",
            lambda r: r.sync["load_seconds"],
            _seconds,
        ),
        GrowthRow("sync", "initial load rows/s", _load_rate, _rate),
        GrowthRow(
            "sync",
            "rows written per customer",
            lambda r: r.sync["load_rows"] / r.customers,
            lambda v: f"{v:.2f}",
            fit=False,
        ),
        *_cpu_rows(
            "sync", "initial load", "initial load: rows", lambda r: r.sync["load_rows"], sync
        ),
        GrowthRow(
            "sync",
            "cores used: initial load (the mocks, standing for the legacy systems)",
            lambda r: r.cpu["initial load"].cores_used(("mocks",)),
            _cores,
        ),
        GrowthRow(
            "sync",
            "COPY of the same rows into the same tables, rows/s",
            lambda r: r.sync["copy_rows"] / r.sync["copy_seconds"],
            _rate,
        ),
        GrowthRow(
            "sync",
            "initial load / COPY",
            lambda r: _load_rate(r) / (r.sync["copy_rows"] / r.sync["copy_seconds"]),
            lambda v: f"{v:.2f}x",
        ),
        GrowthRow(
            "sync",
            "incremental sync, records changed",
            lambda r: r.sync["incremental"]["changed_records"],
            _count,
        ),
        GrowthRow("sync", "incremental sync", lambda r: r.sync["incremental"]["seconds"], _seconds),
        *_cpu_rows(
            "sync",
            "incremental",
            "incremental: changed records",
            lambda r: r.sync["incremental"]["changed_records"],
            sync,
        ),
        *(
            GrowthRow("search", f"{KIND_LABELS[kind]}, live, p95", _search_p95(kind), _ms)
            for kind in KINDS
        ),
        GrowthRow("search", "all kinds, live, p50", lambda r: r.search["all"].p50, _ms),
        GrowthRow("search", "all kinds, live, p95", lambda r: r.search["all"].p95, _ms),
        GrowthRow("search", "all kinds, raw SQL, p95", lambda r: r.search_floor["all"].p95, _ms),
        *_cpu_rows(
            "search", "search", "live searches", lambda r: r.search["all"].count, WEB_GROUPS
        ),
        GrowthRow("customer page", "p95", lambda r: r.page["all"].p95, _ms),
        GrowthRow("customer page", "busiest customers, p95", lambda r: r.page["busiest"].p95, _ms),
        GrowthRow(
            "customer page",
            "SQL queries per page (median)",
            lambda r: r.page["queries_median"],
            _count,
            fit=False,
        ),
        *_cpu_rows("customer page", "page", "pages", lambda r: r.page["all"].count, WEB_GROUPS),
        GrowthRow("load", "requests/s (Locust)", lambda r: r.load["throughput"], _rate),
        GrowthRow("load", "p95, all requests", lambda r: r.load["p95"], _ms),
        *_cpu_rows("load", "load", "requests", lambda r: r.load["requests"], LOAD_GROUPS),
        GrowthRow(
            "load",
            "whole machine busy under load (cores; Locust and other work included)",
            lambda r: r.cpu["load"].machine_busy / r.cpu["load"].wall,
            _cores,
        ),
        GrowthRow("disk", "portal customers", lambda r: r.disk["customers"], _count),
        *(
            GrowthRow("disk", f"{label}, bytes {per}", _per_customer(key), _rate)
            for key, label in (
                ("data_tables", "customer data: tables"),
                ("data_indexes", "customer data: indexes"),
                ("history_tables", "change history: tables"),
                ("history_indexes", "change history: indexes"),
                ("total", "data and history"),
            )
        ),
        GrowthRow(
            "disk",
            "data and history, total",
            lambda r: r.disk["per_customer"]["total"] * r.disk["customers"],
            _mb,
        ),
        GrowthRow(
            "disk",
            "access audit: bytes per row (tables + indexes, after the load test)",
            lambda r: (
                (r.disk["audit_after"]["tables"] + r.disk["audit_after"]["indexes"])
                / r.disk["audit_after"]["rows"]
            ),
            _rate,
            fit=False,
        ),
        GrowthRow(
            "disk",
            "partitions summed into their tables",
            lambda r: sum(c["partitions"] for c in r.disk["categories"].values()),
            _count,
            fit=False,
        ),
        GrowthRow(
            "run",
            "time for this size (build or reuse the dataset, then measure)",
            lambda r: r.machine["elapsed_seconds"] / 60,
            lambda v: f"{v:,.1f} min",
        ),
    ]


def _scaling_table(customers: int, measured: list[dict[str, Any]], cores: int) -> str:
    """The same initial load with 1, 2 and 4 workers: time, rows/s, speed-up, cores measured."""
    groups = ("worker", POSTGRES)
    head = (
        "Celery workers",
        "initial load",
        "rows",
        "rows/s",
        "speed-up vs the fewest",
        "cores used: workers + PostgreSQL",
        "rows per core-second",
        "cores used: the mocks",
        "whole machine busy (cores)",
        "each source's run (s)",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    base = measured[0]["rows"] / measured[0]["seconds"] if measured else 0
    for row in measured:
        cpu, rate = row["cpu"], row["rows"] / row["seconds"]
        sources = ", ".join(f"{k} {v:,.1f}" for k, v in sorted(row["sources_seconds"].items()))
        per_core = cpu.per_core_second(row["rows"], groups)
        lines.append(
            "| "
            + " | ".join(
                (
                    str(row["workers"]),
                    f"{row['seconds']:,.1f} s",
                    f"{row['rows']:,}",
                    _rate(rate),
                    _times(ratio(rate, base)),
                    f"{cpu.cores_used(groups):.2f}",
                    "—" if per_core is None else _rate(per_core),
                    f"{cpu.cores_used(('mocks',)):.2f}",
                    f"{cpu.machine_busy / cpu.wall:.2f} of {cores}",
                    sources,
                )
            )
            + " |"
        )
    oversubscribed = [row["workers"] for row in measured if row["workers"] > cores]
    note = (
        f" {', '.join(map(str, oversubscribed))} workers oversubscribe the machine's {cores} "
        "cores, which the mocks, PostgreSQL and the harness share with them."
        if oversubscribed
        else ""
    )
    return f"""### N = {customers:,}

Each worker is its own process (`celery worker -c 1`) on every queue; each count loads the same
feed (the mocks on day 0) into a fresh copy of the same empty, migrated database.{note} A
source's pages run one after another, so no more than four workers (one per source) can be busy
at once, and the load ends when the largest source ends.

{"\n".join(lines)}
"""


def report_render(run: Run, *, notes: str) -> str:
    sizes = sorted(run.sizes)
    largest = sizes[-1]
    r = run.sizes[largest]
    settings, m, first = run.settings, r.machine, run.sizes[sizes[0]].machine
    table = Table()
    _sync_rows(table, r.sync, largest)
    _search_rows(table, r)
    _page_rows(table, r.page)
    _load_rows(table, r.load, settings["load_users"], settings["load_seconds"])
    scale = (
        ""
        if largest >= FULL_SCALE
        else f"\n**Smoke run: the largest size is {largest:,} customers. The goals are for "
        "1,000,000; the load-time goal is scaled linearly, the others are shown as they are.**\n"
    )
    counts = ", ".join(f"{name} {count:,}" for name, count in r.sync["counts"].items())
    missed = "\n".join(f"- {line}" for line in table.missed) or "- none"
    inc = r.sync["incremental"]
    built = ", ".join(
        f"{n:,}: {run.sizes[n].sync['built_at']:%Y-%m-%d %H:%M} UTC"
        + (" (this run)" if run.sizes[n].sync.get("fresh") else " (reused)")
        for n in sizes
    )
    scaling = (
        "\n".join(
            _scaling_table(n, measured, int(run.machine["cores"]))
            for n, measured in sorted(run.scaling.items())
        )
        or "Not measured in this run (BENCH_SCALING_SIZES=none, or the run ended first)."
    )
    elapsed = run.machine.get("elapsed_seconds")
    return f"""# Benchmarks (`make bench`)

Generated by `make bench` (`scripts/bench.sh` → `benchmarks/run.py`) from
`var/bench/run-*.json`; do not edit by hand — edit `benchmarks/notes.md` for the notes at the
end. How it measures: `benchmarks/README.md`.
{scale}
- **Sizes (N):** {", ".join(f"{n:,}" for n in sizes)} customers in the legacy mocks (seed
  `{settings["seed"]}`); each dataset built through the mocks and the real sync
  (`{settings["sync_mode"]}`) and reused when present; built {built}
- **Date:** {run.machine["started"]}; whole run
  {"?" if elapsed is None else f"{elapsed / 60:.1f} min"}
- **Machine:** {run.machine["cores"]} cores ({run.machine["cpu"]}), {run.machine["ram_gb"]} GB
  RAM; load average at the start {run.machine["load_average"]} (1 / 5 / 15 min; at the start of
  the first size {first["load_average"]}, of the last {m["load_average"]}; other engineers share
  these cores)
- **Versions:** Python {m["python"]}, Django {m.get("django", "?")},
  PostgreSQL {m.get("postgresql", "?")}
- **Code measured:** {run.machine.get("tree", "?")}
- **Server:** {m.get("web", "?")}; persistent DB connections; signed in as a work coach
- **Cores used** are measured, not assumed: the CPU time (from `/proc`) of the processes that
  did the work — gunicorn, the Celery workers or the harness, and the PostgreSQL backends on
  the bench database — divided by the wall time; "per core-second" divides what was done by
  that CPU time (`benchmarks/cpu.py`).

## How each figure grows with N

k is the exponent of figure ≈ c·N^k fitted through the sizes on log-log axes (0: flat; 1:
linear); "x per 10x N" is 10^k, the figure at ten times the customers. Bytes are per portal
customer (customers the sync created), each table summed over its partitions.

{growth_table(_growth_rows(settings["sync_mode"]), run.sizes)}

## The sync with 1, 2 and 4 workers

{scaling}
## Every figure at N = {largest:,}

- **Rows in the portal tables:** {counts}; change-history rows written by triggers:
  {r.sync["history_rows"]:,}
- **Incremental change:** the mocks' clock advanced; records changed per system:
  {inc["changed_by_system"]}

{table.markdown()}

## Goals missed in this run (N = {largest:,})
{missed}

{notes.strip()}
"""


def report_write(run: Run, *, doc: Path, notes: Path) -> str:
    """Render the report for this run, write it to `doc`, return it."""
    text = report_render(run, notes=notes.read_text() if notes.exists() else "")
    doc.write_text(text)
    return text


if __name__ == "__main__":
    # Rebuild docs/benchmarks.md from a run's saved results (default: the last run's), e.g.
    # after editing notes.md: `python -m benchmarks.report [var/bench/run-….json]`.
    import os
    import sys

    from benchmarks.config import NOTES, VAR, config_from_environment
    from benchmarks.results import results_loads

    saved = Path(sys.argv[1]) if len(sys.argv) > 1 else VAR / "latest.json"
    run = results_loads(saved.read_text())
    if os.environ.get("BENCH_TREE"):  # what was measured, when the tree changed during the run
        run.machine["tree"] = os.environ["BENCH_TREE"]
    print(report_write(run, doc=config_from_environment().doc, notes=NOTES))

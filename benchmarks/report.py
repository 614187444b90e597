"""docs/benchmarks.md from a bench run's results: every figure beside its floor, goal and ratio."""

from pathlib import Path
from typing import Any

from benchmarks.config import BenchConfig
from benchmarks.queries import KIND_LABELS, KINDS
from benchmarks.stats import Latency, ratio

FULL_SCALE = 1_000_000
GOAL_PAGE_P95_MS = 150
# The issues' goals name search by NINO, name and name + date of birth; postcode has none.
SEARCH_GOAL_KINDS = ("nino", "misspelt_surname", "name_dob", "surname_alone", "first_name_alone")


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


def report_render(results: Any, *, n: int, seed: str, users: int, seconds: int, notes: str) -> str:
    table = Table()
    _sync_rows(table, results.sync, n)
    _search_rows(table, results)
    _page_rows(table, results.page)
    _load_rows(table, results.load, users, seconds)
    m = results.machine
    scale = (
        ""
        if n == FULL_SCALE
        else f"\n**Smoke run at {n:,} customers: the goals are for 1,000,000; the load-time goal "
        "is scaled linearly, the others are shown as they are.**\n"
    )
    counts = ", ".join(
        f"{table_name} {count:,}" for table_name, count in results.sync["counts"].items()
    )
    missed = "\n".join(f"- {line}" for line in table.missed) or "- none"
    inc = results.sync["incremental"]
    return f"""# Benchmarks (`make bench`)

Generated by `make bench` (`scripts/bench.sh` → `benchmarks/run.py`); do not edit by hand — edit
`benchmarks/notes.md` for the notes at the end. How it measures: `benchmarks/README.md`.
{scale}
- **Customers (N):** {n:,} (seed `{seed}`); dataset built
  {results.sync["built_at"]:%Y-%m-%d %H:%M} UTC through the legacy mocks and the real sync
  (`{results.sync["load_mode"]}`), reused when present
- **Date:** {m["started"]}; whole run {m.get("elapsed", "?")}
- **Machine:** {m["cores"]} cores ({m["cpu"]}), {m["ram_gb"]} GB RAM; load average at start
  {m["load_average"]} (1 / 5 / 15 min; other engineers share these cores)
- **Versions:** Python {m["python"]}, Django {m.get("django", "?")},
  PostgreSQL {m.get("postgresql", "?")}
- **Code measured:** {m.get("tree", "?")}
- **Server:** {m.get("web", "?")}; persistent DB connections; signed in as a work coach
- **Rows in the portal tables:** {counts}; change-history rows written by triggers:
  {results.sync["history_rows"]:,}
- **Incremental change:** the mocks' clock advanced; records changed per system:
  {inc["changed_by_system"]}

{table.markdown()}

## Goals missed in this run
{missed}

{notes.strip()}
"""


def report_write(results: Any, *, config: BenchConfig, notes: Path) -> str:
    """Render the report for this run's configuration, write it to `config.doc`, return it."""
    text = report_render(
        results,
        n=config.customers,
        seed=config.seed,
        users=config.load_users,
        seconds=config.load_seconds,
        notes=notes.read_text() if notes.exists() else "",
    )
    config.doc.write_text(text)
    return text


if __name__ == "__main__":
    # Re-render docs/benchmarks.md from the last run's saved results (e.g. after editing notes).
    import os
    import pickle

    from benchmarks import results as results_module
    from benchmarks.config import NOTES, VAR, config_from_environment

    class _Unpickler(pickle.Unpickler):
        # Runs before the results had their own module were saved from `python -m
        # benchmarks.run`, so they say their Results class lives in __main__ or benchmarks.run.
        def find_class(self, module: str, name: str) -> Any:
            if module in ("__main__", "benchmarks.run"):
                return getattr(results_module, name)
            return super().find_class(module, name)

    config = config_from_environment()
    with (VAR / f"results-{config.customers}.pickle").open("rb") as saved:
        results = _Unpickler(saved).load()
    if os.environ.get("BENCH_TREE"):  # what was measured, when the tree changed during the run
        results.machine["tree"] = os.environ["BENCH_TREE"]
    print(report_write(results, config=config, notes=NOTES))

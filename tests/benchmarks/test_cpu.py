"""The bench's CPU accounting from /proc: parsing, which process is whose, the tally."""

import pytest

from benchmarks.cpu import (
    TICKS,
    CpuTally,
    CpuUse,
    ProcStat,
    parallel_leader,
    postgres_title_database,
    stat_parse,
)


def test_a_stat_line_is_read_even_when_the_command_name_holds_spaces_and_parentheses():
    fields = ["S", "1", "4242", "4242"] + ["0"] * 7 + ["150", "50"] + ["0"] * 6 + ["98765"]
    line = "4300 (celery (worker) 1) " + " ".join(fields) + " 0 0\n"
    stat = stat_parse(4300, line)
    assert stat == ProcStat(
        pid=4300, comm="celery (worker) 1", session=4242, ticks=200, started=98765
    )


def test_a_postgres_title_names_its_database():
    assert postgres_title_database("postgres: app dwpportal_bench_3000 127.0.0.1(1) idle") == (
        "dwpportal_bench_3000"
    )
    assert postgres_title_database("postgres: autovacuum worker dwpportal_bench_3000") == (
        "dwpportal_bench_3000"
    )
    # NUL-separated, as /proc/<pid>/cmdline gives it
    assert postgres_title_database("postgres: app db\0\0\0") == "db"
    for shared in (
        "postgres: checkpointer ",
        "postgres: walwriter ",
        "postgres: parallel worker for PID 12",
        "postgres: logical replication launcher ",
        "/usr/lib/postgresql/15/bin/postgres -D var/postgres",
    ):
        assert postgres_title_database(shared) is None
    assert parallel_leader("postgres: parallel worker for PID 12 ") == 12
    assert parallel_leader("postgres: app db 127.0.0.1(1) idle") is None


def test_the_tally_counts_only_the_cpu_spent_during_the_phase():
    tally = CpuTally(started_at=1000)

    def seen(pid: int, ticks: int, started: int) -> ProcStat:
        return ProcStat(pid=pid, comm="x", session=pid, ticks=ticks, started=started)

    tally.add(seen(1, ticks=500, started=10), "gunicorn")  # running before: from 500
    tally.add(seen(1, ticks=530, started=10), "gunicorn")
    tally.add(seen(2, ticks=40, started=1200), "postgres")  # started during: all of it
    tally.add(seen(2, ticks=70, started=1200), "postgres")
    tally.add(seen(2, ticks=20, started=1500), "postgres")  # pid 2 reused by a new process
    assert tally.seconds() == {
        "gunicorn": pytest.approx(30 / TICKS),
        "postgres": pytest.approx((70 + 20) / TICKS),
    }


def test_cores_used_and_throughput_per_core_come_from_the_chosen_groups():
    use = CpuUse(
        wall=10.0,
        seconds={"worker-1": 4.0, "worker-2": 6.0, "postgres": 5.0, "mocks": 3.0},
        machine_busy=19.0,
        cores=2,
    )
    assert use.cpu(("worker", "postgres")) == 15.0  # "worker" takes worker-1 and worker-2
    assert use.cores_used(("worker", "postgres")) == 1.5
    assert use.per_core_second(30_000, ("worker", "postgres")) == 2_000
    assert use.per_core_second(30_000, ("gunicorn",)) is None

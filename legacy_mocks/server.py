"""HTTP server for the four mock systems, the control endpoints and the ground truth."""

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

from legacy_mocks.awards import SYSTEMS
from legacy_mocks.faults import FaultPlan, Faults, parse_spec
from legacy_mocks.formats import esa, pip, sp, uc
from legacy_mocks.population import Population, index_for, real_today
from legacy_mocks.world import DEFAULT_CHANGE_RATE, DEFAULT_PIP_BATCH_SIZE, FeedRecord, World

DEFAULT_PAGE = 1000
MAX_PAGE = 5000
_TRUTH_CHUNK = 200  # customers per chunk of the streamed ground truth


class BadRequest(Exception):
    pass


@dataclass
class Response:
    status: int
    body: bytes | Iterator[bytes]
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class MockServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        world: World,
        faults: Faults,
        quiet: bool = True,
        state_file: Path | None = None,
        real_time: Callable[[], date] | None = None,
    ):
        """`real_time` is the real date (a function, so tests can move it): when given, the
        simulated today never falls behind it. Without it the clock moves only when told to."""
        super().__init__(address, Handler)
        self.world = world
        self.faults = faults
        self.quiet = quiet
        self.state_file = state_file
        self.real_time = real_time
        self._state_lock = threading.Lock()  # one save at a time (requests run in threads)
        self._keep_up_lock = threading.Lock()  # one catch-up at a time

    def keep_up(self) -> int:
        """Run the days the real date has moved on since the simulated today; returns them.

        Called before every request, so a mock left running for days serves each day's changes.
        A clock advanced past the real date (`/_control/advance`) waits for it to catch up.
        """
        if self.real_time is None or self.world.today >= self.real_time():
            return 0
        ran = 0
        with self._keep_up_lock:
            while (behind := (self.real_time() - self.world.today).days) > 0:
                self.world.advance(min(3660, behind))
                ran += min(3660, behind)
        if ran:
            self.clock_save()
        return ran

    @property
    def base_url(self) -> str:
        host, port = cast(tuple[str, int], self.server_address[:2])  # bound to an IPv4 address
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Day 0 and no faults. The population is a pure function of the seed and day 0, so it
        is kept; on real time day 0 becomes today (the history is built back from it again)."""
        old = self.world
        population = old.population
        if self.real_time is not None and population.start_date != self.real_time():
            population = Population(
                size=population.size, seed=population.seed, start_date=self.real_time()
            )
        self.world = World(
            population,
            change_rate=old.change_rate,
            pip_batch_size=old.pip_batch_size,
            pay_on_schedule=old.pay_on_schedule,
        )
        self.faults.reset()
        self.clock_save()

    def _population_key(self) -> dict[str, object]:
        population = self.world.population
        return {
            "customers": population.size,
            "seed": population.seed,
            "start_date": population.start_date.isoformat(),
            "real_time": self.real_time is not None,
            "change_rate": self.world.change_rate,
            "pip_batch_size": self.world.pip_batch_size,
            "pay_on_schedule": self.world.pay_on_schedule,
        }

    def clock_save(self) -> None:
        """Record the day reached, so a restart can carry on from it (see clock_restore)."""
        if self.state_file is None:
            return
        with self._state_lock:
            # The day is read under the lock, so the last save is always of the latest day.
            state = {"population": self._population_key(), "day": self.world.day}
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.state_file.with_name(self.state_file.name + ".tmp")
            scratch.write_text(json.dumps(state))
            scratch.replace(self.state_file)

    def clock_restore(self) -> int:
        """Replay the days a previous run of the same population reached; returns them.

        The world is a pure function of the seed and the days run, so replaying gives the very
        records, versions and timestamps served before. Without it a restarted server would
        rewind to day 0 behind a portal whose watermarks are already past it. A state file for
        another population (size, seed, dates, rates) is ignored.
        """
        if self.state_file is None or not self.state_file.exists():
            return 0
        try:
            saved = json.loads(self.state_file.read_text())
            days = int(saved["day"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0
        if saved.get("population") != self._population_key() or days <= 0:
            return 0
        for _ in range(0, days, 3660):
            self.world.advance(min(3660, days - self.world.day))
        return days


def build_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    customers: int = 1000,
    seed: str | int = 1,
    start_date: date | None = None,
    change_rate: float = DEFAULT_CHANGE_RATE,
    pip_batch_size: int = DEFAULT_PIP_BATCH_SIZE,
    pay_on_schedule: bool = False,
    faults: str | dict[str, dict[str, float]] | None = None,
    hang_seconds: float = 30.0,
    quiet: bool = True,
    state_file: Path | None = None,
    today: Callable[[], date] = real_today,
) -> MockServer:
    """Without `start_date` the mocks run on real time: day 0 is today (or the day 0 a state
    file of the same population kept), and the clock keeps up with `today()`. With one, day 0
    is that date and the clock moves only when advanced: deterministic, for tests."""
    real_time = today if start_date is None else None
    if start_date is None:
        start_date = (
            _saved_start_date(
                state_file,
                customers=customers,
                seed=str(seed),
                change_rate=change_rate,
                pip_batch_size=pip_batch_size,
                pay_on_schedule=pay_on_schedule,
            )
            or today()
        )
    population = Population(size=customers, seed=seed, start_date=start_date)
    world = World(
        population,
        change_rate=change_rate,
        pip_batch_size=pip_batch_size,
        pay_on_schedule=pay_on_schedule,
    )
    rates = parse_spec(faults) if isinstance(faults, str) else faults
    server = MockServer(
        (host, port),
        world=world,
        faults=Faults(population.seed, rates, hang_seconds=hang_seconds),
        quiet=quiet,
        state_file=state_file,
        real_time=real_time,
    )
    server.clock_restore()
    server.keep_up()
    return server


def _saved_start_date(state_file: Path | None, **population: object) -> date | None:
    """Day 0 of a real-time run of the same population saved in `state_file`, if any."""
    if state_file is None or not state_file.exists():
        return None
    try:
        saved = json.loads(state_file.read_text())["population"]
        start = date.fromisoformat(saved["start_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not saved.get("real_time") or any(saved.get(k) != v for k, v in population.items()):
        return None
    return start


def start_in_thread(**options: object) -> tuple[MockServer, str]:
    """Serve in a daemon thread (port 0 picks a free one); stop with shutdown() + server_close()."""
    server = build_server(**options)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, name="legacy-mocks", daemon=True).start()
    return server, server.base_url


# Feed handlers: (server, query parameters, path groups, fault plan) -> Response.
FeedHandler = Callable[[MockServer, dict[str, str], dict[str, str], FaultPlan], Response]


def _int(
    params: dict[str, str], name: str, default: int, low: int = 0, high: int | None = None
) -> int:
    try:
        value = int(params.get(name, default))
    except ValueError as error:
        raise BadRequest(f"{name} must be an integer") from error
    if value < low or (high is not None and value > high):
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _page(world: World, system: str, after: int, limit: int) -> tuple[list[FeedRecord], int]:
    """A page of records after `after` and the position to continue from."""
    latest = world.latest_version(system)
    records = world.records_between(system, after + 1, latest, limit)
    # A short page means the feed was read to its end, so the position can skip past any gap.
    return records, records[-1].version if len(records) == limit else max(after, latest)


def _uc_changes(
    server: MockServer, params: dict[str, str], _: dict[str, str], plan: FaultPlan
) -> Response:
    cursor_text = params.get("cursor") or "0"
    if not cursor_text.isdigit():
        raise BadRequest("cursor is not one this service issued")
    limit = _int(params, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    records, position = _page(server.world, "uc", int(cursor_text), limit)
    records = server.faults.spoil("uc", records, plan)
    return Response(
        200,
        uc.changes_page(
            records,
            next_cursor=str(position),
            has_more=position < server.world.latest_version("uc"),
        ),
    )


def _uc_claim(
    server: MockServer, _: dict[str, str], groups: dict[str, str], plan: FaultPlan
) -> Response:
    world = server.world
    index = world.claim_index(groups["claim_id"])
    if index is None:
        return Response(404, json.dumps({"error": "claim not found"}).encode())
    state = world.customer(index)
    record = FeedRecord(
        state["sources"]["uc"]["version"], index, state["nino"], state["sources"]["uc"]
    )
    return Response(200, uc.claim_response(server.faults.spoil("uc", [record], plan)[0]))


def _pip_batches(
    server: MockServer, params: dict[str, str], _: dict[str, str], plan: FaultPlan
) -> Response:
    after = _int(params, "after", 0)
    batches = [batch for batch in server.world.pip_batches() if batch.batch_id > after]
    return Response(200, pip.batch_list(batches), "application/xml")


def _pip_batch(
    server: MockServer, _: dict[str, str], groups: dict[str, str], plan: FaultPlan
) -> Response:
    batches = server.world.pip_batches()
    number = int(groups["batch_id"])
    if not 1 <= number <= len(batches):
        return Response(404, b"<Error>no such batch</Error>\n", "application/xml")
    batch = batches[number - 1]
    records = server.world.records_between("pip", batch.first_version, batch.last_version)
    return Response(
        200, pip.batch_file(batch, server.faults.spoil("pip", records, plan)), "application/xml"
    )


def _esa_extract(
    server: MockServer, params: dict[str, str], _: dict[str, str], plan: FaultPlan
) -> Response:
    first = _int(params, "from_seq", 1, 1)
    limit = _int(params, "max", DEFAULT_PAGE, 1, MAX_PAGE)
    records, position = _page(server.world, "esa", first - 1, limit)
    body = esa.extract(
        server.faults.spoil("esa", records, plan),
        extract_date=server.world.today.isoformat(),
        first_seq=first,
        next_seq=position + 1,
        wrong_trailer=plan.trailer,
    )
    return Response(200, body, "text/plain; charset=us-ascii")


def _sp_extract(
    server: MockServer, params: dict[str, str], _: dict[str, str], plan: FaultPlan
) -> Response:
    since = params.get("since") or "0"
    world = server.world
    if since.isdigit():
        after = int(since)
    elif re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", since):
        after = world.version_at("sp", since)
    else:
        raise BadRequest(
            "since must be a sequence number or a UTC timestamp like 2025-06-02T00:00:00Z"
        )
    limit = _int(params, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    records, position = _page(world, "sp", after, limit)
    return Response(
        200,
        sp.extract(server.faults.spoil("sp", records, plan)),
        "text/csv; charset=utf-8",
        {
            "X-Next-Since": str(position),
            "X-Has-More": "true" if position < world.latest_version("sp") else "false",
        },
    )


FEEDS: list[tuple[re.Pattern[str], str, FeedHandler]] = [
    (re.compile(r"/uc/v1/changes"), "uc", _uc_changes),
    (re.compile(r"/uc/v1/claims/(?P<claim_id>[^/]+)"), "uc", _uc_claim),
    (re.compile(r"/pip/batches"), "pip", _pip_batches),
    (re.compile(r"/pip/batches/(?P<batch_id>\d{1,9})\.xml"), "pip", _pip_batch),
    (re.compile(r"/esa/extracts"), "esa", _esa_extract),
    (re.compile(r"/sp/extracts"), "sp", _sp_extract),
]


def _clock(server: MockServer) -> dict[str, object]:
    world = server.world
    return {
        "day": world.day,
        "date": world.today.isoformat(),
        "start_date": world.population.start_date.isoformat(),
        "real_time": server.real_time is not None,
        "pay_on_schedule": world.pay_on_schedule,
        "customers": world.population.size,
        "seed": world.population.seed,
        "change_rate": world.change_rate,
        "latest_versions": {system: world.latest_version(system) for system in SYSTEMS},
    }


def _truth(server: MockServer, params: dict[str, str]) -> Response:
    world, faults = server.world, server.faults
    if "nino" in params:
        index = index_for(params["nino"].replace(" ", "").upper())
        if index is None or index >= world.population.size:
            return Response(404, json.dumps({"error": "no such customer"}).encode())
        line = json.dumps(world.truth(index, _malformed(faults))) + "\n"
        return Response(200, line.encode(), "application/x-ndjson")

    def lines() -> Iterator[bytes]:
        malformed = _malformed(faults)
        for start in range(0, world.population.size, _TRUTH_CHUNK):
            stop = min(start + _TRUTH_CHUNK, world.population.size)
            yield "".join(
                json.dumps(world.truth(index, malformed)) + "\n" for index in range(start, stop)
            ).encode()

    return Response(200, lines(), "application/x-ndjson")


def _malformed(faults: Faults) -> Callable[[str, int], bool]:
    return lambda system, version: faults.malformation(system, version) is not None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a loader fetches thousands of pages
    server: MockServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        params = {name: values[-1] for name, values in parse_qs(url.query).items()}
        self.server.keep_up()
        try:
            self._send(self._route(method, url.path, params))
        except BadRequest as error:
            self._send(Response(400, json.dumps({"error": str(error)}).encode()))

    def _route(self, method: str, path: str, params: dict[str, str]) -> Response | None:
        server = self.server
        if method == "GET":
            for pattern, system, handler in FEEDS:
                match = pattern.fullmatch(path)
                if match:
                    return self._feed(system, handler, params, match.groupdict())
        routes: dict[tuple[str, str], Callable[[], Response]] = {
            ("GET", "/"): lambda: _json({"systems": list(SYSTEMS), **_clock(server)}),
            ("GET", "/_control/clock"): lambda: _json(_clock(server)),
            ("POST", "/_control/advance"): lambda: self._advance(params),
            ("GET", "/_control/faults"): lambda: _json(server.faults.describe()),
            ("POST", "/_control/faults"): self._configure_faults,
            ("POST", "/_control/reset"): self._reset,
            ("GET", "/_truth/customers"): lambda: _truth(server, params),
        }
        route = routes.get((method, path))
        return route() if route else Response(404, b'{"error":"not found"}')

    def _feed(
        self, system: str, handler: FeedHandler, params: dict[str, str], groups: dict[str, str]
    ) -> Response | None:
        forced = [
            item.strip() for item in self.headers.get("X-Mock-Fault", "").split(",") if item.strip()
        ]
        plan = self.server.faults.plan(system, self.path, forced)
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000)
        if plan.hang:  # longer than a sensible client timeout, but bounded
            time.sleep(self.server.faults.hang_seconds)
        if plan.status == 429:
            return Response(
                429,
                b'{"error":"too many requests"}',
                headers={"Retry-After": str(self.server.faults.retry_after)},
            )
        if plan.status:
            return Response(plan.status, b'{"error":"injected fault"}')
        response = handler(self.server, params, groups, plan)
        if plan.truncate and isinstance(response.body, bytes):
            self._send_truncated(response)
            return None
        return response

    def _advance(self, params: dict[str, str]) -> Response:
        try:
            changed = self.server.world.advance(_int(params, "days", 1, 0, 3660))
        except ValueError as error:
            raise BadRequest(str(error)) from error
        self.server.clock_save()
        return _json({**_clock(self.server), "changed": changed})

    def _reset(self) -> Response:
        self.server.reset()
        return _json(_clock(self.server))

    def _configure_faults(self) -> Response:
        try:
            length = int(self.headers.get("Content-Length", 0))
            request = json.loads(self.rfile.read(length) or b"{}")
            rates = parse_spec(request["spec"]) if "spec" in request else request.get("faults", {})
            self.server.faults.configure(
                rates,
                hang_seconds=request.get("hang_seconds"),
                retry_after=request.get("retry_after"),
            )
        except (ValueError, TypeError, AttributeError) as error:
            raise BadRequest(f"bad fault configuration: {error}") from error
        return _json(self.server.faults.describe())

    def _send(self, response: Response | None) -> None:
        if response is None:
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if isinstance(response.body, bytes):
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in response.body:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_truncated(self, response: Response) -> None:
        """Promise the whole body, send part of it, cut mid-record and drop the connection."""
        body = response.body
        assert isinstance(body, bytes)
        cut = max(1, len(body) * 3 // 5)
        if body[cut - 1 : cut] == b"\n":
            cut -= 1
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self.close_connection = True


def _json(payload: object) -> Response:
    return Response(200, json.dumps(payload).encode())


def serve(server: MockServer) -> None:
    """Announce the address on stdout's first line (so a parent can use --port 0), then serve."""
    print(f"LISTENING {server.base_url}", flush=True)
    if server.world.day:
        print(f"clock carried on from {server.state_file}: day {server.world.day}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.server_close()

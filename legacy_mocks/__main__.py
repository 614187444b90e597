"""Command line: `serve` the mock legacy systems, or `advance` a running one's clock."""

import argparse
import json
import os
import sys
import urllib.request
from datetime import date
from pathlib import Path

from legacy_mocks.faults import parse_spec
from legacy_mocks.server import build_server, serve
from legacy_mocks.world import DEFAULT_CHANGE_RATE, DEFAULT_PIP_BATCH_SIZE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m legacy_mocks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve UC, PIP, ESA and State Pension over HTTP")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    run.add_argument("--customers", type=int, default=10_000)
    run.add_argument("--seed", default="1")
    run.add_argument(
        "--start-date",
        type=date.fromisoformat,
        help="fix day 0 to this date and move the clock only when advanced (deterministic); "
        "without it the systems run on real time, their history built back from today",
    )
    run.add_argument(
        "--change-rate",
        type=float,
        default=DEFAULT_CHANGE_RATE,
        help="fraction of customers changed per simulated day",
    )
    run.add_argument("--pip-batch-size", type=int, default=DEFAULT_PIP_BATCH_SIZE)
    run.add_argument(
        "--pay-on-schedule",
        action="store_true",
        help="pay every award when its next payment falls due (demo sizes: it looks at everyone)",
    )
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SYSTEM:KIND=VALUE",
        help="e.g. uc:500=0.1 (repeatable; adds to $LEGACY_MOCKS_FAULTS)",
    )
    run.add_argument("--hang-seconds", type=float, default=30.0)
    run.add_argument("--verbose", action="store_true", help="log every request to stderr")
    run.add_argument(
        "--state-file",
        type=Path,
        help="keep the clock's day here and carry on from it when restarted",
    )
    move = commands.add_parser("advance", help="advance a running server's simulated clock")
    move.add_argument("--url", default="http://127.0.0.1:8100")
    move.add_argument("--days", type=int, default=1)
    args = parser.parse_args(argv)

    if args.command == "advance":
        request = urllib.request.Request(
            f"{args.url.rstrip('/')}/_control/advance?days={args.days}", method="POST"
        )
        with urllib.request.urlopen(request) as response:
            print(json.dumps(json.load(response), indent=2))
        return 0
    spec = ",".join(filter(None, [os.environ.get("LEGACY_MOCKS_FAULTS", ""), *args.fault]))
    try:
        server = build_server(
            host=args.host,
            port=args.port,
            customers=args.customers,
            seed=args.seed,
            start_date=args.start_date,
            change_rate=args.change_rate,
            pip_batch_size=args.pip_batch_size,
            pay_on_schedule=args.pay_on_schedule,
            faults=parse_spec(spec),
            hang_seconds=args.hang_seconds,
            quiet=not args.verbose,
            state_file=args.state_file,
        )
    except ValueError as error:
        parser.error(str(error))
    serve(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())

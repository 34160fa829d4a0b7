"""``stripe-sandbox serve --host 127.0.0.1 --port PORT [--seed N] [--scenario NAME] [--api-key KEY]
[--scale-invoices N]``."""

from __future__ import annotations

import argparse
import os
import sys

from sandbox_kit import serve

from stripe_sandbox.app import StripeSandbox
from stripe_sandbox.constants import DEFAULT_API_KEY
from stripe_sandbox.scenarios import SCENARIOS

NAME = "stripe-sandbox"
DEFAULT_PORT = 8420


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=NAME, description="A local, stateful Stripe API sandbox.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the sandbox until SIGTERM or SIGINT")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port (printed)")
    run.add_argument("--seed", type=int, default=0, help="seed for IDs and scenario data")
    run.add_argument("--scenario", default=None, help=f"seed data: {', '.join(sorted(SCENARIOS))}")
    run.add_argument(
        "--scale-invoices",
        type=int,
        default=None,
        metavar="N",
        help="invoices the 'scale' scenario generates (default: $STRIPE_SANDBOX_SCALE_INVOICES or 1000)",
    )
    run.add_argument(
        "--api-key",
        default=os.environ.get("STRIPE_SANDBOX_API_KEY", DEFAULT_API_KEY),
        help="the accepted secret key (default: $STRIPE_SANDBOX_API_KEY or sk_test_sandbox)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.scenario is not None and args.scenario not in SCENARIOS:
        print(
            f"{NAME}: unknown scenario {args.scenario!r} (known: {', '.join(sorted(SCENARIOS))})",
            file=sys.stderr,
        )
        return 2
    if args.scale_invoices is not None and args.scale_invoices < 0:
        print(f"{NAME}: --scale-invoices must not be negative", file=sys.stderr)
        return 2
    options = {"invoices": args.scale_invoices} if args.scale_invoices is not None else {}
    app = StripeSandbox(api_key=args.api_key, seed=args.seed, scenario=args.scenario, scenario_options=options)
    try:
        return serve(app, args.host, args.port, NAME)
    except OSError as exc:
        print(f"{NAME}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""``netsuite-sandbox serve --host 127.0.0.1 --port PORT --db FILE [options]``."""

from __future__ import annotations

import argparse
import sys

from sandbox_kit import serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netsuite-sandbox", description="A local NetSuite account for tests and demos.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="serve the REST and SOAP APIs until SIGTERM or SIGINT")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8091, help="0 picks a free port (printed)")
    run.add_argument("--db", required=True, help="SQLite file; created and seeded if missing")
    run.add_argument("--account", default="SANDBOX", help="account ID; the TBA realm must equal it")
    run.add_argument("--concurrency", type=int, default=5, help="account-wide concurrent request limit")
    run.add_argument("--seed-file", default=None, help="reference data for a new database (default: seed.yaml)")
    run.add_argument("--latency-ms", type=int, default=0, help="added to every request (to provoke the limit)")
    run.add_argument("--record-latency-ms", type=int, default=0,
                     help="added per record of a SOAP list operation and per item of a REST batch job")
    run.add_argument("--token-ttl-seconds", type=float, default=3600, help="lifetime of OAuth 2.0 access tokens")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from netsuite_sandbox.app import NetSuiteSandbox  # after parsing: --help stays instant

    try:
        app = NetSuiteSandbox(
            args.db,
            account_id=args.account,
            concurrency_limit=args.concurrency,
            seed_file=args.seed_file,
            latency_ms=args.latency_ms,
            record_latency_ms=args.record_latency_ms,
            token_ttl_seconds=args.token_ttl_seconds,
        )
    except (OSError, ValueError) as exc:
        print(f"netsuite-sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    return serve(app, args.host, args.port, "netsuite-sandbox")


if __name__ == "__main__":
    sys.exit(main())

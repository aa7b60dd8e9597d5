"""`sora-widget`: the command line. Argument parsing only; the work happens in the library."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from .simulator.config import FaultConfig, SimulatorConfig


def _add_simulator_parser(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser(
        "simulator",
        help="run the local Videos API simulator",
        description="Serve a local simulator of the Sora Videos API (loopback by default). "
        "Every flag also has a SORA_SIM_* environment variable.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    sim.add_argument("--data-dir", type=Path, help="where jobs and media are kept")
    sim.add_argument("--speed", type=float, help="time compression factor (default 1)")
    sim.add_argument("--api-key", help="accept only this key (default: any non-empty key)")
    sim.add_argument("--link-ttl", type=int, help="seconds download links stay valid")
    sim.add_argument("--seed", type=int, help="seed for injected faults")
    sim.add_argument("--blocked-words", help="comma-separated words that trigger moderation")
    sim.add_argument("--failure-rate", type=float, help="share of generations that fail")
    sim.add_argument("--rate-limit", type=int, help="requests per minute per key (0 = none)")
    sim.add_argument("--server-error-rate", type=float, help="share of requests answered 500")
    sim.add_argument("--unavailable-rate", type=float, help="share of requests answered 503")
    sim.add_argument("--drop-rate", type=float, help="share of responses cut off")
    sim.add_argument("--truncate-rate", type=float, help="share of downloads cut in half")
    sim.add_argument("--log-level", default="warning", help="uvicorn log level")


def simulator_config(args: argparse.Namespace) -> SimulatorConfig:
    """Flags override the environment, which overrides the defaults."""
    config = SimulatorConfig.from_env()
    fault_flags = {
        "seed": args.seed,
        "failure_rate": args.failure_rate,
        "rate_limit_per_minute": args.rate_limit,
        "server_error_rate": args.server_error_rate,
        "unavailable_rate": args.unavailable_rate,
        "drop_rate": args.drop_rate,
        "truncate_rate": args.truncate_rate,
    }
    if args.blocked_words is not None:
        fault_flags["blocked_words"] = tuple(
            word.strip() for word in args.blocked_words.split(",") if word.strip()
        )
    faults: FaultConfig = dataclasses.replace(
        config.faults, **{k: v for k, v in fault_flags.items() if v is not None}
    )
    flags = {
        "data_dir": args.data_dir,
        "speed": args.speed,
        "api_key": args.api_key,
        "link_ttl_seconds": args.link_ttl,
    }
    return dataclasses.replace(
        config, faults=faults, **{k: v for k, v in flags.items() if v is not None}
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sora-widget", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_simulator_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "simulator":
        from .simulator.server import serve

        try:
            config = simulator_config(args)
        except ValueError as error:
            parser.error(str(error))
        try:
            serve(config, host=args.host, port=args.port, log_level=args.log_level)
        except OSError as error:
            print(
                f"sora-widget simulator: cannot listen on {args.host}:{args.port}: {error}",
                file=sys.stderr,
            )
            return 1
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

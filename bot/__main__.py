"""`python -m bot [ask|console|run|eval|bench]`: Carewise from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from knowledge.config import ConfigError, Settings, load_settings
from knowledge.store import StoreError


def main(argv: list[str] | None = None) -> int:
    """Parse the command, run it, and turn known failures into one clear line."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Carewise: cited safeguarding guidance.")
    parser.add_argument("--config", default="config.toml", help="settings file (default: config.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question ('-' reads one per line from stdin)")
    ask.add_argument("question", help="the question, or - for one per line on stdin")
    ask.add_argument("--json", action="store_true", help="print the JSON answer object (JSON Lines for -)")
    commands.add_parser("console", help="chat in the terminal until end of input")
    commands.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    commands.add_parser("eval", help="evaluate answer quality on the question set")
    bench = commands.add_parser("bench", help="run the performance benchmarks")
    bench.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    for sub in commands.choices.values():
        sub.add_argument("--config", default=argparse.SUPPRESS, help="settings file (default: config.toml)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        _configure_logging(settings)
        return _run(args, settings)
    except (ConfigError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args, settings: Settings) -> int:
    from bot.services import build_services

    if args.command == "run":
        from bot.telegram.app import run

        return run(settings)
    if args.command == "eval":
        from bot.evaluate import main as evaluate

        return evaluate(build_services(settings))
    if args.command == "bench":
        from bot.benchmark import main as benchmark

        return benchmark(settings, quick=args.quick)
    services = build_services(settings)
    if args.command == "console":
        return _console(services)
    return _ask(services, args.question, args.json)


def _ask(services, question: str, as_json: bool) -> int:
    from bot.render import plain

    questions = (line.strip() for line in sys.stdin) if question == "-" else iter([question])
    for q in questions:
        if not q:
            continue
        answer = services.engine.answer(q)
        print(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else plain(answer) + "\n", flush=True)
    return 0


def _console(services) -> int:
    from bot.render import plain

    interactive = sys.stdin.isatty()
    if interactive:
        print("Carewise: ask about safeguarding, mental capacity, CQC and care practice. Ctrl-D to leave.")
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        if line.strip():
            print(plain(services.engine.answer(line.strip())) + "\n", flush=True)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The HTTP client logs every request URL, and Telegram's URLs carry the bot token.
    for noisy in ("httpx", "httpcore", "chromadb", "sentence_transformers", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())

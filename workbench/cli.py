"""The ``workbench`` console command.

Subcommands:

``workbench quiz [--topic TEXT] [--scenario ID ...] [--no-evidence] [--list] [--folder DIR]``
    Asks the exam scenarios one by one, reads the answers line by line from
    standard input (so ``printf 'B\\nA,C\\n' | workbench quiz`` works), then
    explains every option and -- unless ``--no-evidence`` -- plays the options of
    simulated questions and prints the evidence summary. Input that cannot be
    graded is asked again; Ctrl-D ends the quiz and scores the answered
    questions; Ctrl-C stops it with the score so far (exit status 130).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, what shells report for an interrupted command)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(prog="workbench", description="recsys-workbench command line")
    commands = parser.add_subparsers(dest="command", required=True)
    quiz = commands.add_parser("quiz", help="exam practice: answer, get graded, see the evidence")
    quiz.add_argument("--topic", help="only scenarios whose topic contains this text")
    quiz.add_argument("--scenario", action="append", metavar="ID", help="only this scenario id (repeatable)")
    quiz.add_argument("--no-evidence", action="store_true", help="do not play the options (no simulation)")
    quiz.add_argument("--list", action="store_true", help="list the scenarios and exit")
    quiz.add_argument("--folder", help="scenario folder (default: the repository's exam_scenarios/)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "quiz":
        # A process started in the background by a non-interactive shell (as CI does) inherits
        # SIGINT ignored, and then Ctrl-C would do nothing: the quiz promises Ctrl-C, so take it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return _quiz(args)
        except KeyboardInterrupt:  # Ctrl-C while the scenarios load, before the quiz starts
            print("\n(interrupted)", file=sys.stderr)
            return INTERRUPTED
    return 2  # pragma: no cover - argparse rejects unknown commands


def _quiz(args: argparse.Namespace) -> int:
    from .exam import Quiz, ScenarioError, load_scenarios, play

    try:
        scenarios = load_scenarios(args.folder)
        quiz = Quiz(scenarios, topic=args.topic, scenario_ids=args.scenario)
    except (ScenarioError, KeyError, FileNotFoundError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc  # KeyError's str() adds quotes
        print(f"workbench quiz: {message}", file=sys.stderr)
        return 2
    if args.list:
        for s in quiz.scenarios:
            print(f"{s.id:40s} {s.kind:9s} {s.topic}")
        return 0
    if len(quiz) == 0:
        print(f"workbench quiz: no scenario matches topic {args.topic!r}", file=sys.stderr)
        return 2
    grade = play(quiz, sys.stdin, sys.stdout, evidence=not args.no_evidence)
    return INTERRUPTED if grade.interrupted else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Shared by the formatter tests: the repository's .pipe files and the CLI runner."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from pipec.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
REPO_FILES = sorted((ROOT / "examples").rglob("*.pipe")) + sorted((ROOT / "stdlib").glob("*.pipe"))


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def invoke(args: list[str], cwd: Path, stdin: str | None = None) -> Outcome:
    """Run the real command line in-process from ``cwd``; an escaping exception fails the test."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)

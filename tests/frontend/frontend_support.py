"""Finding and running golden cases: shared by the golden and CLI tests.

A case is a single ``NAME.pipe`` file or a ``NAME/`` folder with a ``pipec.toml``,
found by listing ``golden/<kind>/``. Its expected output is ``NAME.err`` next to
it: exactly what ``pipec check`` (``pipec lint`` for ``golden/lint``) prints on
stdout, run from the case's folder so that paths are relative to it.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from pipec.cli import cli

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("PIPEC_UPDATE_GOLDEN") == "1"
HEADER = re.compile(r"^(error|warning)\[([EW]\d{3})\]: ", re.M)


@dataclass(frozen=True)
class Case:
    """One golden case: ``path`` is the .pipe file or the project folder."""

    kind: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem if self.path.is_file() else self.path.name

    @property
    def expected(self) -> Path:
        return self.path.parent / f"{self.name}.err"

    @property
    def cwd(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent

    @property
    def args(self) -> list[str]:
        return [] if self.path.is_dir() else [self.path.name]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def cases(kind: str) -> list[Case]:
    folder = GOLDEN / kind
    found = [p for p in sorted(folder.iterdir())
             if (p.is_file() and p.suffix == ".pipe") or (p.is_dir() and (p / "pipec.toml").is_file())]
    return [Case(kind, p) for p in found]


def invoke(args: list[str], cwd: Path) -> Outcome:
    """Run the real command line in-process from ``cwd``; an escaping exception fails the test."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_case(case: Case, *extra: str) -> Outcome:
    command = "lint" if case.kind == "lint" else "check"
    return invoke([command, "--color", "never", *extra, *case.args], case.cwd)


def codes_in(text: str) -> list[str]:
    return [m.group(2) for m in HEADER.finditer(text)]

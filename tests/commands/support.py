"""Running the real command line in-process, and finding the example projects."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from pipec.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/pipec.toml"))
UPDATE = os.environ.get("PIPEC_UPDATE_GOLDEN") == "1"
PIPEC = Path(sys.executable).parent / "pipec"


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    output_bytes: bytes


def invoke(args: list[str], cwd: Path) -> Outcome:
    """Run the command line from ``cwd``; an escaping exception fails the test."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)


def pipec() -> list[str]:
    return [str(PIPEC)] if PIPEC.exists() else [sys.executable, "-m", "pipec"]

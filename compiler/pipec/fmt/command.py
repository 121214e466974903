"""The ``pipec fmt`` command: which files, and what to do with each result.

Without FILES the files are the project's (pipec.toml): its entries and every file
they import but the stdlib; so for a folder with a pipec.toml. Another folder
stands for every .pipe file in it. ``-`` formats stdin to stdout. Output: the
formatted text (stdin), ``would reformat PATH`` lines (--check) or a unified diff
(--diff) on stdout; diagnostics and the summary on stderr. A file with syntax errors
is left untouched and makes the exit code 1.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from pipec.diagnostics import Sink
from pipec.diagnostics.render import render
from pipec.fmt import format_source
from pipec.project import CONFIG, resolve
from pipec.publish import write_atomic
from pipec.source import SourceMap

STDIN = "-"


@dataclass
class Tally:
    """How many files were ``changed`` (or would be), ``unchanged``, and ``failed`` to format."""

    changed: int = 0
    unchanged: int = 0
    failed: int = 0


def run(files: tuple[str, ...], check: bool, diff: bool, color: bool) -> int:
    """Format ``files``; the exit code: 1 for syntax errors, or changes under --check."""
    tally = Tally()
    if files == (STDIN,):
        _one(STDIN, sys.stdin.read().removeprefix("\ufeff"), check, diff, color, tally)
    else:
        for path in targets(files):
            text = _read(path)
            if text is None:
                tally.failed += 1
                continue
            _one(str(path), text, check, diff, color, tally)
        _summary(tally, check or diff)
    return 1 if tally.failed or (check and tally.changed) else 0


def targets(files: tuple[str, ...]) -> list[Path]:
    """The files to format: the files given, every .pipe file of a folder given, the project
    (entries and their non-stdlib imports) of a folder with pipec.toml, or of the current one."""
    if STDIN in files:
        raise click.UsageError("`-` (stdin) cannot be combined with other files")
    found: list[Path] = []
    for arg in files or (None,):
        if arg is None or (Path(arg) / CONFIG).is_file():
            found += _project(resolve((arg,) if arg else ()))
        elif Path(arg).is_dir():
            found += sorted(Path(arg).rglob("*.pipe"))
        else:
            found.append(Path(arg))
    seen: dict[Path, Path] = {}
    for path in found:
        seen.setdefault(path.resolve(), _shown(path))
    return list(seen.values())


def _project(cfg) -> list[Path]:
    from pipec.ir.loader import load_program  # the IR only for a project's imports: `pipec fmt FILE` starts without it

    program = load_program(cfg.entries, cfg.root, Sink(), SourceMap())
    return list(cfg.entries) + [m.real for m in program.modules if not m.is_std]


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _read(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:  # a BOM is accepted and not written back
            return f.read()
    except (OSError, UnicodeDecodeError) as err:
        click.echo(f"error: cannot read {path}: {err}\n  = help: check the path; files must be UTF-8", err=True)
        return None


def _one(path: str, text: str, check: bool, diff: bool, color: bool, tally: Tally) -> None:
    shown = "<stdin>" if path == STDIN else path
    result = format_source(shown, text)
    if not result.ok:
        tally.failed += 1
        sources = SourceMap()
        sources.add(shown, text)
        errors = [d for d in result.diagnostics if d.severity.value == "error"]
        click.echo(render("text", errors, sources, color), nl=False, err=True, color=color)
        return
    new = result.text
    if new == text:
        tally.unchanged += 1
    else:
        tally.changed += 1
    if diff:
        click.echo(unified_diff(shown, text, new), nl=False)
    elif check:
        if new != text:
            click.echo(f"would reformat {shown}")
    elif path == STDIN:
        click.echo(new, nl=False)
    elif new != text:
        target = Path(path)
        write_atomic(target, new.encode("utf-8"), target.stat().st_mode & 0o7777)
        click.echo(f"reformatted {shown}", err=True)


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff from ``old`` to ``new``; empty when they are equal."""
    lines = difflib.unified_diff(_diff_lines(old), _diff_lines(new), f"{path} (original)", f"{path} (formatted)")
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _summary(tally: Tally, dry: bool) -> None:
    verb = "would be reformatted" if dry else "reformatted"
    parts = [f"{_files(tally.changed)} {verb}", f"{tally.unchanged} unchanged"]
    if tally.failed:
        parts.append(f"{_files(tally.failed)} not formatted (errors)")
    click.echo(f"fmt: {', '.join(parts)}", err=True)


def _files(n: int) -> str:
    return f"{n} file" + ("" if n == 1 else "s")

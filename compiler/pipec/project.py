"""Finding what to compile: pipec.toml (entry, env, out, [lint]) or the files given.

pipec.toml's reader (pydantic) and the lint package (which pulls in the IR) are
imported when a pipec.toml is read, not with this module: `pipec fmt FILE` and
`pipec --help` start without them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipec.lint.config import LintConfig

CONFIG = "pipec.toml"


class ProjectError(Exception):
    """A problem with the command line or pipec.toml (E702, E703, E705, E706).

    ``at`` locates a problem inside pipec.toml: (path, text, start, end, label).
    """

    def __init__(self, code: str, message: str, help: str,
                 at: tuple[Path, str, int, int, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.help, self.at = code, message, help, at


def _no_lint() -> LintConfig:
    """The lint settings of a project without a [lint] table."""
    from pipec.lint.config import LintConfig

    return LintConfig()


@dataclass
class ProjectConfig:
    """Where the sources are and the defaults for commands."""

    root: Path
    entries: list[Path]
    env: str | None = None
    out: Path | None = None
    lint: LintConfig = field(default_factory=_no_lint)  # the whole [lint] table, see pipec.lint.config


def find_config(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / CONFIG).is_file():
            return folder / CONFIG
    return None


def load_config(path: Path) -> ProjectConfig:
    from pipec.projectfile import ProjectFileError, read_project_file

    try:
        text = read_source_text(path)
        parsed = read_project_file(text)
    except OSError as err:
        raise ProjectError("E703", f"cannot read {path}: {err.strerror or err}", "pipec.toml is a UTF-8 text file")
    except ProjectFileError as err:
        raise ProjectError(err.code, err.message, err.help, at=(path, text, err.start, err.end, err.label)) from None
    root = path.parent.resolve()
    out = parsed.out
    return ProjectConfig(root, [root / e for e in parsed.entries], parsed.env, root / out if out else None,
                         _lint(parsed, root, path, text))


def _lint(parsed, root: Path, path: Path, text: str) -> LintConfig:
    """The [lint] table as the lint package reads it; a code that matches nothing is E703 at its key."""
    from pipec.lint.config import LintConfigError, from_table
    from pipec.projectfile import key_span

    try:
        return from_table(parsed.lint, root)
    except LintConfigError as err:
        start, end = key_span(text, ("lint", err.key))
        raise ProjectError("E703", err.message, err.help, at=(path, text, start, end, "no such code")) from None


def read_source_text(path: Path) -> str:
    """pipec.toml's text; OSError when it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise OSError(f"not UTF-8 ({err.reason})") from None


def resolve(files: tuple[str, ...]) -> ProjectConfig:
    """The project for a command: the files given, a folder with pipec.toml, or the nearest pipec.toml."""
    if not files:
        cfg = find_config(Path.cwd())
        if cfg is None:
            raise ProjectError("E702", "no input files and no pipec.toml here or in a parent folder",
                               "pass .pipe files, or run inside a project (see `pipec init`)")
        return load_config(cfg)
    if len(files) == 1 and Path(files[0]).is_dir():
        folder = Path(files[0])
        if (folder / CONFIG).is_file():
            return load_config(folder / CONFIG)
        pipes = sorted(folder.rglob("*.pipe"))
        if not pipes:
            raise ProjectError("E702", f"no .pipe files in {folder}", "pass .pipe files or a folder with pipec.toml")
        return ProjectConfig(folder.resolve(), pipes)
    paths = [Path(f) for f in files]
    root = Path(os.path.commonpath([p.resolve().parent for p in paths]))
    cfg = find_config(root)
    base = load_config(cfg) if cfg is not None else None
    return ProjectConfig(base.root if base and root.is_relative_to(base.root) else root, paths,
                         base.env if base else None, base.out if base else None,
                         lint=base.lint if base else _no_lint())

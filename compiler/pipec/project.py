"""Finding what to compile: pipec.toml (entry, env, out, [lint]) or the files given."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipec.lint.config import LintConfig, LintConfigError, from_table

CONFIG = "pipec.toml"


class ProjectError(Exception):
    """A problem with the command line or pipec.toml (code E702/E703)."""

    def __init__(self, code: str, message: str, help: str) -> None:
        super().__init__(message)
        self.code, self.message, self.help = code, message, help


@dataclass
class ProjectConfig:
    """Where the sources are and the defaults for commands."""

    root: Path
    entries: list[Path]
    env: str | None = None
    out: Path | None = None
    lint_select: list[str] = field(default_factory=list)
    lint_ignore: list[str] = field(default_factory=list)
    lint: LintConfig = field(default_factory=LintConfig)  # the whole [lint] table, see pipec.lint.config


def find_config(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / CONFIG).is_file():
            return folder / CONFIG
    return None


def load_config(path: Path) -> ProjectConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ProjectError("E703", f"cannot read {path}: {err}", "pipec.toml is TOML: entry = [\"main.pipe\"]")
    root = path.parent.resolve()
    entry = data.get("entry", ["main.pipe"])
    if isinstance(entry, str):
        entry = [entry]
    lint = data.get("lint", {})
    if not isinstance(entry, list) or not all(isinstance(e, str) for e in entry) or not isinstance(lint, dict):
        raise ProjectError("E703", f"{path}: `entry` must be a list of file names", "entry = [\"main.pipe\"]")
    unknown = sorted(set(data) - {"entry", "env", "out", "lint"})
    if unknown:
        raise ProjectError("E703", f"{path}: unknown key `{unknown[0]}`", "keys: entry, env, out, [lint]")
    out = data.get("out")
    try:
        lint_config = from_table(lint, root)
    except LintConfigError as err:
        raise ProjectError("E703", f"{path}: {err.message}", err.help)
    return ProjectConfig(root, [root / e for e in entry], data.get("env"), root / out if out else None,
                         list(lint.get("select", [])), list(lint.get("ignore", [])), lint_config)


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
                         lint=base.lint if base else LintConfig())

"""What the language server knows: open buffers, projects, the latest analyses.

Free of LSP types so that it can be read (and tested) on its own. A *unit* is
what one analysis covers: the entries and root of the nearest ``pipec.toml``
above a document, or the document alone (its folder as root) when there is none
or when the project does not reach the document. Open buffers are passed to
the analysis as overlays, so diagnostics follow what the editor shows.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipec.diagnostics import CODES, Diagnostic, Label
from pipec.driver import Analysis, analyze
from pipec.ir.loader import LoadedModule
from pipec.lint import LintConfig
from pipec.lsp.index import Index
from pipec.lsp.reuse import Reuse
from pipec.project import CONFIG, ProjectError, find_config, load_config
from pipec.resources import stdlib_dir
from pipec.source import Span


@dataclass(frozen=True)
class Unit:
    """The files one analysis starts from, and which lint warnings it reports."""

    root: Path
    entries: tuple[Path, ...]
    config: Path | None = None  # pipec.toml, when there is one
    lint: LintConfig = field(default_factory=LintConfig, compare=False)  # all of [lint], as `pipec lint` reads it
    config_error: ProjectError | None = field(default=None, compare=False)
    quiet: bool = False  # a stdlib file opened in the editor: analysed for hover, nothing published

    @property
    def key(self) -> tuple:
        return (self.root, self.entries, self.quiet)


@dataclass
class Finding:
    """A diagnostic to publish for one file, with the result that can place its labels."""

    diagnostic: Diagnostic
    result: "Result"


@dataclass
class Result:
    """One analysis of a unit, and where its files are."""

    unit: Unit
    analysis: Analysis
    files: dict[str, Path]  # display path of every loaded module -> its real path
    anchor: Path  # where diagnostics without a file position go (pipec.toml, or the document)
    by_path: dict[Path, list[Diagnostic]] = field(default_factory=dict)
    _indexes: dict[str, Index] = field(default_factory=dict, repr=False)

    @property
    def loaded(self) -> set[Path]:
        """The real paths of every module the analysis loaded."""
        return {m.real for m in self.analysis.program.modules} if self.analysis.program else set()

    @property
    def paths(self) -> set[Path]:
        """The files this result publishes for: every project file, and any file with findings."""
        mods = self.analysis.program.modules if self.analysis.program else []
        return {m.real for m in mods if not m.is_std} | set(self.by_path)

    def module(self, path: Path) -> LoadedModule | None:
        mods = self.analysis.program.modules if self.analysis.program else []
        return next((m for m in mods if m.real == path), None)

    def text(self, shown: str) -> str:
        src = self.analysis.sources.get(shown)
        return src.text if src is not None else ""

    def real(self, shown: str) -> Path | None:
        """The real path of a file shown as ``shown`` in spans (None for `<command line>`)."""
        return self.files.get(shown)

    def index(self, mod: LoadedModule) -> Index:
        if mod.path not in self._indexes:
            self._indexes[mod.path] = Index(self.analysis.program, mod, self.analysis.defs)
        return self._indexes[mod.path]


def is_stdlib(path: Path) -> bool:
    return path.suffix == ".pipe" and path.parent == stdlib_dir().resolve()


def unit_for(path: Path) -> Unit:
    """The project a document belongs to: the nearest pipec.toml above it, else the file alone."""
    if is_stdlib(path):
        return Unit(path.parent, (path,), quiet=True)
    cfg_path = find_config(path.parent)
    if cfg_path is None:
        return Unit(path.parent, (path,))
    try:
        cfg = load_config(cfg_path)
    except ProjectError as err:
        return Unit(cfg_path.parent.resolve(), (path,), cfg_path, config_error=err)
    return Unit(cfg.root, tuple(e.resolve() for e in cfg.entries), cfg_path, cfg.lint)


def alone(path: Path, project: Unit) -> Unit:
    """The document on its own, inside its project's root (for files no entry imports)."""
    return Unit(project.root, (path,), project.config, project.lint)


class Session:
    """Open buffers and the latest result of every unit that has an open document."""

    def __init__(self, log: Callable[[str], None] = lambda message: None) -> None:
        self.log = log
        self.buffers: dict[Path, str] = {}
        self.results: dict[tuple, Result] = {}
        self.reuse: dict[tuple, Reuse] = {}  # per unit: what the next analysis of it may replay
        self._touched: set[Path] = set()  # files whose findings may have changed in the current call

    # ------------------------------------------------------------ analysis

    def analyze(self, unit: Unit, anchor: Path) -> Result | None:
        """Analyse a unit with the open buffers; a compiler bug is logged, never raised."""
        reuse = self.reuse.setdefault(unit.key, Reuse())
        try:
            analysis = analyze(list(unit.entries), unit.root, sources=reuse.sources(), overlays=dict(self.buffers),
                               lint_config=unit.lint, reuse=reuse)
        except Exception:  # a bug in pipec must not take the editor's server down
            reuse.abandon()
            self.log(f"pipec: internal error while analysing {anchor}:\n{traceback.format_exc()}")
            return None
        reuse.done(analysis.program)
        files = {m.path: m.real for m in analysis.program.modules} if analysis.program else {}
        result = Result(unit, analysis, files, unit.config or anchor)
        for diag in analysis.diagnostics:  # already selected per `[lint]` (lint_config)
            where = result.real(diag.primary.span.path) or result.anchor
            result.by_path.setdefault(where, []).append(diag)
        if unit.config_error is not None:
            result.by_path.setdefault(unit.config, []).insert(0, _config_diagnostic(unit))
        return result

    def refresh(self, path: Path) -> set[Path]:
        """Re-analyse what ``path`` belongs to; the files whose diagnostics may have changed."""
        self._touched = set()
        self._refresh(path)
        self._prune()
        return self._touched

    def refresh_all(self) -> set[Path]:
        """Files changed on disk (pipec.toml too): find every open document's unit again and
        re-analyse it; units no open document needs any more are dropped."""
        self._touched = set()
        old, self.results = self.results, {}
        for path in sorted(self.buffers):
            if not any(r.module(path) for r in self.results.values() if not r.unit.quiet):
                self._refresh(path)
        for result in old.values():
            self._touched |= result.paths
        self._prune()
        return self._touched

    def _refresh(self, path: Path) -> None:
        project = unit_for(path)
        first = self._run(project, path)
        single = alone(path, project)
        if single.key == project.key:
            return
        if not project.quiet and (first is None or first.module(path) is None):
            self._run(single, path)
        elif (dropped := self.results.pop(single.key, None)) is not None:
            self._touched |= dropped.paths

    def _run(self, unit: Unit, anchor: Path) -> Result | None:
        old = self.results.get(unit.key)
        new = self.analyze(unit, anchor)
        if new is None:
            return old
        self.results[unit.key] = new
        self._touched |= new.paths | (old.paths if old else set())
        return new

    def close(self, path: Path) -> set[Path]:
        """A document was closed: re-read it from disk, and drop units with no open file left."""
        self._touched = set()
        self.buffers.pop(path, None)
        for key, result in list(self.results.items()):
            files = result.loaded | set(result.unit.entries)
            if path not in files:
                continue
            if files & set(self.buffers):
                self._run(result.unit, result.anchor)
            else:
                del self.results[key]
                self._touched |= result.paths
        self._prune()
        return self._touched

    def _prune(self) -> None:
        """Memo tables live as long as their unit's result."""
        self.reuse = {key: reuse for key, reuse in self.reuse.items() if key in self.results}

    # ------------------------------------------------------------ queries

    def findings(self, path: Path) -> list[Finding]:
        """Every unit's diagnostics for one file, without repeats."""
        if is_stdlib(path):
            return []
        seen, out = set(), []
        for result in self.results.values():
            if result.unit.quiet:
                continue
            for diag in result.by_path.get(path, []):
                key = (diag.code, diag.message, diag.primary.span)
                if key not in seen:
                    seen.add(key)
                    out.append(Finding(diag, result))
        return out

    def locate(self, path: Path) -> tuple[Result, LoadedModule] | None:
        """The freshest analysis that loaded ``path``: its own unit first, then any other."""
        own = unit_for(path)
        candidates = [self.results.get(own.key), self.results.get(alone(path, own).key),
                      *self.results.values()]
        for result in candidates:
            if result is not None and (mod := result.module(path)) is not None:
                return result, mod
        return None


def _config_diagnostic(unit: Unit) -> Diagnostic:
    err = unit.config_error
    start, end = (err.at[2], err.at[3]) if err.at is not None else (0, 0)
    return Diagnostic(err.code, err.message, Label(Span(CONFIG, start, end)), help=err.help)

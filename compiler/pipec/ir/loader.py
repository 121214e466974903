"""Loading a project: files, imports, module scopes.

``import "std/NAME"`` loads ``stdlib/NAME.pipe``; ``import "./x.pipe"`` loads a file
relative to the importing file and may not leave the project root. Each file is
loaded once. A file's scope holds its own declarations and those declared by the
files it imports directly (or, with ``as``, under ``alias.``); imports do not chain.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from pipec.diagnostics import Label, Sink
from pipec.diagnostics.core import printable
from pipec.limits import MAX_FILE_BYTES
from pipec.resources import stdlib_dir
from pipec.source import SourceMap, Span
from pipec.syntax import nodes as n
from pipec.syntax.parser import parse_module

STD_PREFIX = "std/"


@dataclass
class Symbol:
    """A top-level declaration and the module that declares it."""

    kind: str
    name: str
    decl: n.Decl
    module: "LoadedModule"


@dataclass
class LoadedModule:
    """A parsed file, its display path, and what its names resolve to."""

    path: str
    real: Path
    syntax: n.Module
    is_std: bool
    own: dict[str, Symbol] = field(default_factory=dict)
    imported: dict[str, Symbol] = field(default_factory=dict)
    aliases: dict[str, "LoadedModule"] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # display paths of modules whose names were used here

    def lookup(self, parts: tuple[str, ...]) -> tuple[Symbol | None, int]:
        """Resolve a dotted name: the symbol and how many parts it consumed."""
        if len(parts) >= 2 and parts[0] in self.aliases and parts[0] not in self.own:
            sym, used = self.aliases[parts[0]].own.get(parts[1]), 2
        else:
            sym, used = self.own.get(parts[0]) or self.imported.get(parts[0]), 1
        if sym is not None:
            self.used.add(sym.module.path)
        return sym, used

    def names_of_kind(self, kind: str) -> list[str]:
        """The names in scope that declare a ``kind`` (without marking anything used)."""
        syms = {**self.imported, **self.own}
        names = [name for name, sym in syms.items() if sym.kind == kind]
        names += [f"{alias}.{name}" for alias, mod in self.aliases.items()
                  for name, sym in mod.own.items() if sym.kind == kind]
        return sorted(names)

    def visible_names(self) -> list[str]:
        names = set(self.own) | set(self.imported)
        for alias, mod in self.aliases.items():
            names.update(f"{alias}.{k}" for k in mod.own)
        return sorted(names)


@dataclass
class Program:
    """Every loaded module in load order (entries first, imports after)."""

    modules: list[LoadedModule]
    sources: SourceMap
    root: Path



def display_path(path: Path) -> str:
    rel = os.path.relpath(path, Path.cwd())
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()


class Loader:
    def __init__(self, root: Path, sink: Sink, sources: SourceMap,
                 overlays: Mapping[Path, str] | None = None) -> None:
        self.root, self.sink, self.sources = root.resolve(), sink, sources
        # unsaved editor buffers (language server): read instead of the file on disk
        self.overlays = {path.resolve(): text for path, text in (overlays or {}).items()}
        self.by_real: dict[Path, LoadedModule] = {}
        self.order: list[LoadedModule] = []
        self._stack: list[Path] = []
        self._via: list[Span] = []  # the import that loaded each module of the stack but the first

    def load_entry(self, path: Path) -> None:
        real = path.resolve()
        if real in self.by_real:
            return
        text = self._read(real)
        if not isinstance(text, str):
            code, message = ("E707", text.message) if text.too_large else ("E704", text.message)
            self.sink.emit(code, message.format(display_path(path)), Span(display_path(path), 0, 0),
                           help=text.help)
            return
        self._load(real, display_path(path), text, is_std=False)

    def _load(self, real: Path, shown: str, text: str, is_std: bool) -> None:
        """Load a file and, depth first, everything it imports.

        An explicit stack instead of recursion: an import chain of any length loads
        without reaching Python's recursion limit.
        """
        frames = [(self._add(real, shown, text, is_std), 0)]
        self._stack.append(real)
        while frames:
            mod, done = frames[-1]
            if done == len(mod.syntax.imports):
                frames.pop()
                self._stack.pop()
                if frames:
                    self._via.pop()
                continue
            frames[-1] = (mod, done + 1)
            imp = mod.syntax.imports[done]
            child = self._import(mod, imp)
            if child is not None:
                self._via.append(imp.path.span)
                self._stack.append(child.real)
                frames.append((child, 0))

    def _add(self, real: Path, shown: str, text: str, is_std: bool) -> LoadedModule:
        self.sources.add(shown, text)
        mod = LoadedModule(shown, real, parse_module(shown, text, self.sink), is_std)
        self.by_real[real] = mod
        self.order.append(mod)
        return mod

    def _import(self, mod: LoadedModule, imp: n.Import) -> LoadedModule | None:
        """Resolve one import; the newly loaded module whose imports come next, if any."""
        target = self._resolve(mod, imp)
        if target is None:
            return None
        real, shown, is_std = target
        if real in self._stack:
            at = self._stack.index(real)
            chain = [self.by_real[r].path for r in self._stack[at:]] + [shown]
            self.sink.emit("E102", "import cycle: " + " -> ".join(chain), imp.path.span,
                           label="this import closes the cycle",
                           secondary=[Label(span, "imported here") for span in self._via[at:]],
                           help="move the shared declarations into a file that both import")
            return None
        child = self.by_real.get(real)
        fresh = child is None
        if fresh:
            text = self._read(real)
            if not isinstance(text, str):
                self.sink.emit("E707" if text.too_large else "E101", text.message.format(shown), imp.path.span,
                               label="imported here", help=text.help)
                return None
            child = self._add(real, shown, text, is_std)
        if imp.alias:
            mod.aliases[imp.alias.text] = child
        return child if fresh else None

    def _resolve(self, mod: LoadedModule, imp: n.Import) -> tuple[Path, str, bool] | None:
        text = "".join(p.text for p in imp.path.parts if isinstance(p, n.Lit))
        if text.startswith(STD_PREFIX):
            name = text[len(STD_PREFIX):]
            real = stdlib_dir() / f"{name}.pipe"
            if not name or "/" in name or not real.is_file():
                known = sorted(p.stem for p in stdlib_dir().glob("*.pipe"))
                self.sink.emit("E101", f"no stdlib module `{text}`", imp.path.span, label="not found",
                               help="stdlib modules: " + ", ".join(f"std/{k}" for k in known))
                return None
            return real, f"{text}.pipe", True
        if mod.is_std:
            self.sink.emit("E101", "stdlib modules may only import stdlib modules", imp.path.span)
            return None
        try:
            real = (mod.real.parent / text).resolve()
            exists = real.is_file()
        except (OSError, ValueError) as err:  # a NUL byte, a name too long for the OS
            self.sink.emit("E101", f"`{printable(text)}` is not a usable file path", imp.path.span,
                           label=_why_unusable(text, err),
                           help="import a .pipe file by a relative path, e.g. \"./tenants.pipe\"")
            return None
        if not real.is_relative_to(self.root):
            self.sink.emit("E103", f"`{text}` is outside the project root", imp.path.span,
                           label="leaves the project",
                           help=f"imports stay inside the project root `{display_path(self.root)}` (the folder of "
                                "pipec.toml, or of the entry files); move the file into the project")
            return None
        if not exists and real not in self.overlays and not real.exists():
            self.sink.emit("E101", f"cannot find `{text}`", imp.path.span, label="no such file",
                           help=self._elsewhere(mod, text) or
                           "paths are relative to the importing file, e.g. \"./tenants.pipe\"")
            return None
        return real, display_path(real), False

    def _read(self, real: Path) -> "str | Unreadable":
        return self.overlays[real] if real in self.overlays else read_source(real)

    def _elsewhere(self, mod: LoadedModule, text: str) -> str | None:
        """The import resolved from a folder above the importer (a wrong number of `../`)."""
        folder = mod.real.parent
        while folder.is_relative_to(self.root):
            for candidate in (folder / text, folder / Path(text).name):
                if candidate.resolve().is_file() and candidate.resolve().is_relative_to(self.root):
                    rel = Path(os.path.relpath(candidate.resolve(), mod.real.parent)).as_posix()
                    shown = rel if rel.startswith("..") else "./" + rel
                    return f'did you mean "{shown}"? paths are relative to the importing file'
            if folder == self.root:
                break
            folder = folder.parent
        return None


@dataclass(frozen=True)
class Unreadable:
    """Why a file cannot be loaded; ``message`` has a ``{}`` for the file's display path."""

    message: str
    help: str
    too_large: bool = False


def read_source(path: Path) -> "str | Unreadable":
    """A source file's text (a UTF-8 BOM dropped), or why it cannot be read.

    Only regular files are opened: a FIFO would block and ``/dev/zero`` never ends.
    No more than ``limits.MAX_FILE_BYTES`` are read.
    """
    try:
        info = os.stat(path)  # before opening: opening a FIFO blocks
    except (OSError, ValueError):
        return Unreadable("cannot read `{}`", "check the path; files must exist and be UTF-8")
    if not stat.S_ISREG(info.st_mode):
        return Unreadable("`{}` is not a regular file", "give a .pipe file, not a folder, device or pipe")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return Unreadable("cannot read `{}`", "check the file's permissions")
    if len(data) > MAX_FILE_BYTES:
        return Unreadable("`{}` is larger than the limit of " + f"{MAX_FILE_BYTES // 1024} KiB",
                          "split the file into several files that import each other", too_large=True)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Unreadable("`{}` is not UTF-8", "save the file as UTF-8")


def _why_unusable(text: str, err: Exception) -> str:
    if "\0" in text:
        return "contains a NUL character"
    return getattr(err, "strerror", None) or "the operating system refuses it"


def load_program(entries: list[Path], root: Path, sink: Sink, sources: SourceMap,
                 overlays: Mapping[Path, str] | None = None) -> Program:
    """Load the entries and their imports; ``overlays`` replace files' text on disk."""
    loader = Loader(root, sink, sources, overlays)
    for entry in entries:
        loader.load_entry(entry)
    program = Program(loader.order, sources, loader.root)
    _build_scopes(program, loader, sink)
    return program


def _build_scopes(program: Program, loader: Loader, sink: Sink) -> None:
    for mod in program.modules:
        for decl in mod.syntax.decls:
            if decl.name is None:
                continue
            first = mod.own.get(decl.name.text)
            if first is not None:
                sink.emit("E104", f"`{decl.name.text}` is declared twice", decl.name.span,
                          label="declared again here", secondary=[Label(first.decl.name.span, "first declared here")],
                          help="rename one of them")
                continue
            mod.own[decl.name.text] = Symbol(decl.kind, decl.name.text, decl, mod)
    for mod in program.modules:
        for imp in mod.syntax.imports:
            if imp.alias:
                continue
            target = _target_of(loader, mod, imp)
            if target is None:
                continue
            for name, sym in target.own.items():
                if name in mod.own:
                    if not mod.is_std:
                        sink.emit("W102", f"`{name}` shadows an imported declaration", mod.own[name].decl.name.span,
                                  label="local declaration", secondary=[Label(imp.span, "imported here")],
                                  help="rename it, or import the module with `as`")
                    continue
                other = mod.imported.get(name)
                # project-wide names (tenants, pipelines, environments) are reported once, by DeclReader
                if other is not None and other is not sym and not (sym.kind == other.kind and sym.kind in GLOBAL_KINDS):
                    sink.emit("E104", f"`{name}` is declared by two imported files", imp.span,
                              label="second import", secondary=[Label(other.decl.name.span, "one declaration"),
                                                                 Label(sym.decl.name.span, "another declaration")],
                              help="rename one of them, or import one file `as` a prefix")
                    continue
                mod.imported[name] = sym


GLOBAL_KINDS = ("platform", "environment", "tenant", "pipeline")


def unused_imports(program: Program, sink: Sink) -> None:
    """W103: an import none of whose names is used (files that declare project-wide
    things such as tenants or pipelines are used by being imported)."""
    by_path = {m.path: m for m in program.modules}
    by_real = {m.real: m for m in program.modules if not m.is_std}  # one lookup per import: linear
    for mod in program.modules:
        if mod.is_std:
            continue
        for imp in mod.syntax.imports:
            text = "".join(p.text for p in imp.path.parts if isinstance(p, n.Lit))
            target = by_path.get(f"{text}.pipe") or by_real.get(_resolved(mod, text))
            if target is None or target.path in mod.used:
                continue
            if any(d.kind in GLOBAL_KINDS for d in target.syntax.decls):
                continue
            sink.emit("W103", f"nothing from `{text}` is used", imp.span, label="unused import",
                      help="remove the import")


def _resolved(mod: LoadedModule, text: str) -> Path | None:
    try:
        return (mod.real.parent / text).resolve()
    except (OSError, ValueError):
        return None


def _target_of(loader: Loader, mod: LoadedModule, imp: n.Import) -> LoadedModule | None:
    text = "".join(p.text for p in imp.path.parts if isinstance(p, n.Lit))
    if text.startswith(STD_PREFIX):
        real = (stdlib_dir() / f"{text[len(STD_PREFIX):]}.pipe").resolve()
    else:
        real = _resolved(mod, text)
    return loader.by_real.get(real)

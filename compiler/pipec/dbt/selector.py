"""A subset of dbt's node selection syntax, evaluated on a manifest.

Supported, with dbt's meaning (dbt-core ``graph/selector_methods.py``):

- a space separates a union, a comma an intersection: ``"tag:a tag:b,path:models/x"``
- methods ``fqn`` (the default: a node name, or a dotted folder path such as
  ``staging`` or ``marts.finance``, with ``*`` globs), ``tag``, ``path`` (a file
  or folder relative to the dbt project; the default when the value holds a
  ``/``), ``file`` (a file name; the default for ``.sql``/``.py``/``.csv``),
  ``resource_type``, ``source`` (``name`` or ``name.table``), ``package`` and
  ``config.KEY``
- graph operators ``+x`` (x and its ancestors), ``x+`` (and its descendants),
  ``N+x`` / ``x+N`` (up to N edges), ``@x`` (x, its descendants and their ancestors)

``--exclude`` is the same syntax; the result is the selection minus the exclusion.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch, translate
from functools import lru_cache
from pathlib import PurePosixPath

from pipec.dbt.manifest import Manifest, Node

METHODS = ("fqn", "tag", "path", "file", "resource_type", "source", "package", "config")
RESOURCE_TYPES = ("model", "seed", "snapshot", "test", "source")
_ATOM = re.compile(r"\A(?P<at>@)?(?:(?P<pdepth>\d*)(?P<parents>\+))?(?:(?P<method>[\w.]+):)?(?P<value>.*?)"
                   r"(?:(?P<children>\+)(?P<cdepth>\d*))?\Z")


class SelectorError(Exception):
    """A malformed selector; ``start``/``end`` are offsets in the selector text."""

    def __init__(self, message: str, help: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message, self.help, self.start, self.end = message, help, start, end


@dataclass(frozen=True)
class Atom:
    """One criterion such as ``+tag:nightly`` and where it sits in the selector text."""

    raw: str
    method: str
    argument: str  # the KEY of config.KEY
    value: str
    parents: int | None  # None: no `+` before; -1: all ancestors; N: up to N
    children: int | None
    childrens_parents: bool
    start: int
    end: int


Selection = tuple[tuple[Atom, ...], ...]  # a union of intersections


def parse(text: str) -> Selection:
    """Parse a selector; raise SelectorError on unknown methods or malformed criteria."""
    union = []
    for match in re.finditer(r"\S+", text):
        parts, offset = [], match.start()
        for piece in match.group().split(","):
            parts.append(_atom(piece, offset))
            offset += len(piece) + 1
        union.append(tuple(parts))
    return tuple(union)


def _atom(raw: str, start: int) -> Atom:
    end = start + len(raw)
    m = _ATOM.match(raw)
    if m is None or not m.group("value"):
        raise SelectorError(f"`{raw}` is not a dbt selector", "write e.g. `stg_orders`, `tag:nightly`, "
                            "`path:models/staging` or `+fct_sales`", start, max(end, start + 1))
    if m.group("at") and m.group("children"):
        raise SelectorError(f"`{raw}` combines `@` with a trailing `+`", "`@x` already includes the "
                            "descendants of x: drop the `+`", start, end)
    method, _, argument = (m.group("method") or _default_method(m.group("value"))).partition(".")
    if method not in METHODS or (method == "config") != bool(argument):
        raise SelectorError(f"unknown selector method `{m.group('method')}`", "methods: " + ", ".join(
            f"{x}.KEY" if x == "config" else x for x in METHODS), start, end)
    if method == "resource_type" and m.group("value") not in RESOURCE_TYPES:
        raise SelectorError(f"unknown resource type `{m.group('value')}`", "resource types: " +
                            ", ".join(RESOURCE_TYPES), start, end)
    if method == "source" and m.group("value").count(".") > 2:
        raise SelectorError(f"`{m.group('value')}` is not a source", "write `source:NAME`, `source:NAME.TABLE` "
                            "or `source:PACKAGE.NAME.TABLE`", start, end)
    return Atom(raw, method, argument, m.group("value"), _depth(m.group("parents"), m.group("pdepth")),
                _depth(m.group("children"), m.group("cdepth")), bool(m.group("at")), start, end)


def _depth(plus: str | None, digits: str | None) -> int | None:
    if not plus:
        return None
    return int(digits) if digits else -1


def _default_method(value: str) -> str:
    if "/" in value:
        return "path"
    if value.lower().endswith((".sql", ".py", ".csv")):
        return "file"
    return "fqn"


# ---------------------------------------------------------------- evaluation


def select(manifest: Manifest, selection: Selection, found: dict[Atom, set[str]] | None = None) -> set[str]:
    """The unique ids the selection picks (all node kinds, sources and tests included).

    ``found`` holds atoms' ``matches`` already computed, so that a caller who
    checked them does not evaluate them again.
    """
    found = found or {}
    out: set[str] = set()
    for intersection in selection:
        picked = None
        for atom in intersection:
            hits = found[atom] if atom in found else matches(manifest, atom)
            got = expand(manifest, atom, hits)
            picked = got if picked is None else picked & got
        out |= picked or set()
    return out


def matches(manifest: Manifest, atom: Atom) -> set[str]:
    """The nodes the atom's method and value pick, before graph operators."""
    test = _TESTS[atom.method](atom)
    return {uid for uid, node in manifest.nodes.items() if test(node)}


def expand(manifest: Manifest, atom: Atom, found: set[str]) -> set[str]:
    """Apply the atom's graph operators to ``found``."""
    out = set(found)
    if atom.childrens_parents:
        down = _walk(found, _children(manifest), -1) | found
        return down | _walk(down, _parents(manifest), -1)
    if atom.parents is not None:
        out |= _walk(found, _parents(manifest), atom.parents)
    if atom.children is not None:
        out |= _walk(found, _children(manifest), atom.children)
    return out


def _parents(manifest: Manifest):
    return lambda uid: [p for p in manifest.nodes[uid].parents if p in manifest.nodes]


def _children(manifest: Manifest):
    return lambda uid: manifest.children.get(uid, ())


def _walk(start: set[str], step, depth: int) -> set[str]:
    seen: set[str] = set()
    frontier, level = set(start), 0
    while frontier and (depth < 0 or level < depth):
        frontier = {nxt for uid in frontier for nxt in step(uid)} - seen
        seen |= frontier
        level += 1
    return seen


# Each method compiles an atom into a test of one node (``_TESTS``); the
# per-atom work (splitting the selector, compiling globs) is done once, not per node.

_GLOB_CHARS = frozenset("*?[]")


@lru_cache(maxsize=1024)
def _glob(pattern: str) -> Callable[[str], bool]:
    """``fnmatch(name, pattern)`` as a function of ``name``, the pattern compiled once."""
    if os.path.normcase("A") != "A":  # a case-folding OS: keep fnmatch's own normalisation
        return lambda name: fnmatch(name, pattern)
    if not _GLOB_CHARS.intersection(pattern):
        return pattern.__eq__
    match = re.compile(translate(pattern)).match
    return lambda name: match(name) is not None


def _fqn(atom: Atom) -> Callable[[Node], bool]:
    match = _fqn_matcher(atom.value)
    return lambda node: node.resource_type != "source" and (match(node.fqn, node.version)
                                                            or match(node.fqn[1:], node.version))


def _fqn_matcher(selector: str) -> Callable[[tuple[str, ...], str | None], bool]:
    """dbt's ``is_selected_node``: a leaf name, or a dotted prefix of the fqn with globs."""
    wanted = selector.split(".")
    last_two = "_".join(wanted[-2:])
    glob_at = next((i for i, part in enumerate(wanted) if _GLOB_CHARS.intersection(part)), len(wanted))
    head, size = wanted[:glob_at], len(wanted)
    rest = _glob(".".join(wanted[glob_at:]))
    leaf = _glob(selector) if "." not in selector else None

    def match(fqn: tuple[str, ...], version: str | None) -> bool:
        if not fqn:
            return False
        if version is not None:
            if len(fqn) >= 2 and (fqn[-2] == selector or "_".join(fqn[-2:]) == last_two):
                return True
        elif fqn[-1] == selector:
            return True
        if glob_at and fqn[0].partition(".")[0] != head[0]:  # the common miss, without joining the fqn
            return False
        flat = ".".join(fqn).split(".")  # each segment split on its dots
        if len(flat) < size or flat[:glob_at] != head:
            return False
        if glob_at == size or rest(".".join(flat[glob_at:])):
            return True
        return leaf is not None and leaf(fqn[-2] if version is not None else fqn[-1])

    return match


@lru_cache(maxsize=65536)
def _path_forms(path: str) -> tuple[str, tuple[str, ...]]:
    """A file path as ``path:`` compares it (normalised) and its parent folders."""
    pure = PurePosixPath(path)
    return pure.as_posix(), tuple(p.as_posix() for p in pure.parents if p.as_posix() != ".")


def _path(atom: Atom) -> Callable[[Node], bool]:
    match = _glob(atom.value.rstrip("/"))

    def test(node: Node) -> bool:
        path, parents = _path_forms(node.path)
        return (match(path) or bool(node.patch_path) and match(_path_forms(node.patch_path)[0])
                or any(match(parent) for parent in parents))

    return test


def _file(atom: Atom) -> Callable[[Node], bool]:
    match = _glob(atom.value)

    def test(node: Node) -> bool:
        path = PurePosixPath(node.path)
        return match(path.name) or match(path.stem)

    return test


def _source(atom: Atom) -> Callable[[Node], bool]:
    parts = atom.value.split(".")
    package, source, table = map(_glob, {1: ["*", *parts, "*"], 2: ["*", *parts]}.get(len(parts), parts))
    return lambda node: (node.resource_type == "source" and package(node.package) and source(node.source_name)
                         and table(node.name))


def _config(atom: Atom) -> Callable[[Node], bool]:
    def test(node: Node) -> bool:
        value = node.config.get(atom.argument)
        values = value if isinstance(value, list) else [value]
        return any(_config_text(v) == atom.value for v in values if v is not None)

    return test


def _config_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _tag(atom: Atom) -> Callable[[Node], bool]:
    match = _glob(atom.value)
    return lambda node: any(match(tag) for tag in node.tags)


def _resource_type(atom: Atom) -> Callable[[Node], bool]:
    return lambda node: node.resource_type == atom.value


def _package(atom: Atom) -> Callable[[Node], bool]:
    match = _glob(atom.value)
    return lambda node: match(node.package)


_TESTS: dict[str, Callable[[Atom], Callable[[Node], bool]]] = {
    "fqn": _fqn, "tag": _tag, "path": _path, "file": _file, "resource_type": _resource_type,
    "source": _source, "package": _package, "config": _config,
}

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

import re
from dataclasses import dataclass
from fnmatch import fnmatch
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


def select(manifest: Manifest, selection: Selection) -> set[str]:
    """The unique ids the selection picks (all node kinds, sources and tests included)."""
    out: set[str] = set()
    for intersection in selection:
        picked = None
        for atom in intersection:
            found = expand(manifest, atom, matches(manifest, atom))
            picked = found if picked is None else picked & found
        out |= picked or set()
    return out


def matches(manifest: Manifest, atom: Atom) -> set[str]:
    """The nodes the atom's method and value pick, before graph operators."""
    test = _TESTS[atom.method]
    return {uid for uid, node in manifest.nodes.items() if test(node, atom)}


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


def _fqn(node: Node, atom: Atom) -> bool:
    if node.resource_type == "source":
        return False
    return _fqn_match(node.fqn, atom.value, node.version) or _fqn_match(node.fqn[1:], atom.value, node.version)


def _fqn_match(fqn: tuple[str, ...], selector: str, version: str | None) -> bool:
    """dbt's ``is_selected_node``: a leaf name, or a dotted prefix of the fqn with globs."""
    if not fqn:
        return False
    wanted = selector.split(".")
    if version is not None:
        if len(fqn) >= 2 and (fqn[-2] == selector or "_".join(fqn[-2:]) == "_".join(wanted[-2:])):
            return True
    elif fqn[-1] == selector:
        return True
    flat = [item for segment in fqn for item in segment.split(".")]
    if len(flat) < len(wanted):
        return False
    for i, part in enumerate(wanted):
        if any(c in part for c in "*?[]"):
            if fnmatch(".".join(flat[i:]), ".".join(wanted[i:])):
                return True
            return "." not in selector and fnmatch(fqn[-2] if version is not None else fqn[-1], selector)
        if flat[i] != part:
            return False
    return True


def _path(node: Node, atom: Atom) -> bool:
    wanted = atom.value.rstrip("/")
    candidates = [PurePosixPath(node.path)] + ([PurePosixPath(node.patch_path)] if node.patch_path else [])
    for path in candidates:
        if fnmatch(path.as_posix(), wanted):
            return True
    first = PurePosixPath(node.path)
    return any(fnmatch(parent.as_posix(), wanted) for parent in first.parents if parent.as_posix() != ".")


def _file(node: Node, atom: Atom) -> bool:
    path = PurePosixPath(node.path)
    return fnmatch(path.name, atom.value) or fnmatch(path.stem, atom.value)


def _source(node: Node, atom: Atom) -> bool:
    if node.resource_type != "source":
        return False
    parts = atom.value.split(".")
    package, source, table = {1: ["*", *parts, "*"], 2: ["*", *parts]}.get(len(parts), parts)
    return fnmatch(node.package, package) and fnmatch(node.source_name, source) and fnmatch(node.name, table)


def _config(node: Node, atom: Atom) -> bool:
    value = node.config.get(atom.argument)
    values = value if isinstance(value, list) else [value]
    return any(_config_text(v) == atom.value for v in values if v is not None)


def _config_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


_TESTS = {
    "fqn": _fqn,
    "tag": lambda node, atom: any(fnmatch(tag, atom.value) for tag in node.tags),
    "path": _path,
    "file": _file,
    "resource_type": lambda node, atom: node.resource_type == atom.value,
    "source": _source,
    "package": lambda node, atom: fnmatch(node.package, atom.value),
    "config": _config,
}

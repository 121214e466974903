"""The one module that writes YAML: plain data in, bytes out, keys sorted.

Every string must read back as the same string in any YAML 1.1 or 1.2 reader
(PyYAML, ruamel.yaml, go-yaml in Kubernetes tooling, ...). PyYAML quotes what
its own YAML 1.1 resolver would read as another type; ``represent_str`` also
quotes what other readers would: YAML 1.1's ``y``/``n`` booleans and YAML
1.2's numbers (``0o17``, ``1e3``, ``+1.5E3``), and writes strings holding
U+0085, U+2028 or U+2029 (line breaks in 1.1, plain characters in 1.2) double
quoted, where they are escapes both read alike. It is a representer, so the
rule holds with the pure-Python and the libyaml (``CSafeDumper``) emitter.

PyYAML's representer is pure Python and costs more than its emitter, so
documents of the plain shape codegen builds (non-empty dicts with str keys,
lists, str, int, bool, None) are written here directly, in exactly PyYAML's
block layout. Each distinct string's text is decided once: plain when
:func:`_plain_safe` proves PyYAML would write it plain (resolver, represent_str
and the emitter's analysis agree), else what PyYAML itself writes for it alone,
kept only when it is one line (a multi-line scalar or a non-simple key sends
the whole document to PyYAML).

Other documents are emitted by libyaml (PyYAML's ``CSafeDumper``, several times
faster) when PyYAML has it and the document is one both emitters write alike:
every string printable ASCII and every key short and not empty (libyaml writes
long keys and some escapes differently). Any other document, or a PyYAML
without libyaml, goes through the pure-Python ``SafeDumper``. Every way gives
the same bytes (tests/codegen/test_yamlout.py).

Many documents of one shape (the pods of a DAG) differ only in some scalars:
:func:`skeleton` writes such a document once with placeholders for those
scalars and cuts its text there, and :meth:`Skeleton.fill` puts each
document's own scalar texts in. The direct writer writes a scalar as the same
one-line text wherever it stands, so a filled skeleton is what :func:`direct`
writes for the document, and a value cannot reach beyond its scalar.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
# Plain scalars some YAML 1.1 or 1.2 reader resolves to a non-string although
# PyYAML's resolver does not: 1.1 one-letter booleans, 1.2 core/JSON numbers
# (exponent without a dot or sign, 0o octal, ruamel's `-_`), go-yaml's 0b/0o/0x
# with underscores, inf/nan spellings, and dates with one-digit months or days.
_AMBIGUOUS = re.compile(
    r"[yYnN]"
    r"|[-+]?0[bBoOxX][0-9a-fA-F_]+"
    r"|[-+]?(?:\.[0-9_]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?"
    r"|[-+]?\.?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?"
)
# Line breaks in YAML 1.1 but not in 1.2: only double-quoted escapes keep them.
_BREAKS_1_1 = re.compile("[\x85\u2028\u2029]")


def represent_str(dumper: yaml.BaseDumper, value: str) -> yaml.ScalarNode:
    """A str node, quoted when a plain or single-quoted scalar could read back differently."""
    if _BREAKS_1_1.search(value):
        return dumper.represent_scalar(_STR, value, style='"')
    if _AMBIGUOUS.fullmatch(value):
        return dumper.represent_scalar(_STR, value, style="'")
    return dumper.represent_scalar(_STR, value)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors/aliases (shared dicts are written out twice)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_CBase = getattr(yaml, "CSafeDumper", None)


class _CDumper(_CBase or yaml.SafeDumper):  # type: ignore[misc]
    """The same over libyaml's emitter (the representers are PyYAML's own)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(str, represent_str)
_CDumper.add_representer(str, represent_str)

_PLAIN = re.compile(r"[\x20-\x7e]*\Z")
_MAX_KEY = 64  # libyaml and PyYAML disagree on simple keys of about 128 characters and more
_SCALARS = (bool, int, float, type(None))
_WIDTH = 2**31 - 1  # no line folding


def libyaml_safe(data: Any) -> bool:
    """Whether libyaml writes ``data`` byte for byte as the pure-Python emitter does."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _PLAIN.match(item):
                return False
        elif isinstance(item, dict):
            for key, value in item.items():
                if not isinstance(key, str) or not 0 < len(key) < _MAX_KEY or not _PLAIN.match(key):
                    return False
                stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not isinstance(item, _SCALARS):
            return False
    return True


def dump(document: Any) -> bytes:
    """One YAML document."""
    return dump_all([document])


def dump_all(documents: list[Any], pure: bool = False) -> bytes:
    """Several documents separated by ``---``, UTF-8, keys sorted, no line folding.

    ``pure`` forces PyYAML's pure-Python emitter (the tests compare all ways).
    """
    if not pure:
        text = direct(documents)
        if text is not None:
            return text.encode("utf-8")
    fast = _CBase is not None and not pure and all(libyaml_safe(d) for d in documents)
    return _pyyaml(documents, _CDumper if fast else _Dumper, len(documents) > 1).encode("utf-8")


def _pyyaml(documents: list[Any], dumper: type, explicit_start: bool) -> str:
    return yaml.dump_all(
        documents,
        Dumper=dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        explicit_start=explicit_start,
        width=_WIDTH,
    )


class _Fallback(Exception):
    """The document has something the direct writer does not do; PyYAML writes it."""


def direct(documents: list[Any]) -> str | None:
    """What PyYAML writes for ``documents``, or None when only PyYAML can write them."""
    if not documents:
        return None
    lines: list[str] = []
    explicit = len(documents) > 1
    try:
        for document in documents:
            if explicit:
                lines.append("---")
            kind = type(document)
            if kind is dict and document:
                _mapping(document, 0, "", lines)
            elif kind is list and document:
                _sequence(document, 0, "", lines)
            else:
                return None
    except (_Fallback, TypeError, RecursionError):  # TypeError: keys sorted() cannot order
        return None
    lines.append("")
    return "\n".join(lines)


def _mapping(mapping: dict, indent: int, lead: str, lines: list[str]) -> None:
    """A block mapping whose first line starts with ``lead``, the others with ``indent`` spaces."""
    pad = " " * indent
    inner = indent + 2
    for key in sorted(mapping):
        text = _KEYS.get(key) or _key_text(key)
        line = f"{lead}{text}:"
        lead = pad
        value = mapping[key]
        kind = type(value)
        if kind is str:
            lines.append(f"{line} {_VALUES.get(value) or _value_text(value)}")
        elif kind is dict:
            if value:
                lines.append(line)
                _mapping(value, inner, " " * inner, lines)
            else:
                lines.append(line + " {}")
        elif kind is list:
            if value:
                lines.append(line)
                _sequence(value, indent, pad, lines)  # PyYAML does not indent a mapping's sequences
            else:
                lines.append(line + " []")
        else:
            lines.append(f"{line} {_other(value)}")


def _sequence(items: list, indent: int, lead: str, lines: list[str]) -> None:
    """A block sequence whose first ``- `` follows ``lead``, the others ``indent`` spaces."""
    pad = " " * indent
    inner = indent + 2
    for item in items:
        head = lead + "- "
        lead = pad
        kind = type(item)
        if kind is str:
            lines.append(head + (_VALUES.get(item) or _value_text(item)))
        elif kind is dict:
            if item:
                _mapping(item, inner, head, lines)
            else:
                lines.append(head + "{}")
        elif kind is list:
            if item:
                _sequence(item, inner, head, lines)
            else:
                lines.append(head + "[]")
        else:
            lines.append(head + _other(item))


def _other(value: Any) -> str:
    """bool, int and None as SafeRepresenter writes them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    raise _Fallback


# Decided texts of strings as values and as keys ("" = only PyYAML can write it).
_VALUES: dict[str, str] = {}
_KEYS: dict[str, str] = {}
_CACHE_LIMIT = 100_000
_RESOLVER = yaml.resolver.Resolver()
# Printable ASCII that no position of PyYAML's analyze_scalar objects to for a
# block plain scalar: no indicator first (``-`` only before a non-space), no
# document marker, no space or ``:`` last; `` #`` and ``: `` are ruled out apart.
_PLAIN_SHAPE = re.compile(
    r"(?!---|\.\.\.)(?:[^-?:,\[\]{}#&*!|>'\"%@`\x00-\x20\x7f-\U0010ffff]|-(?=[!-~]))"
    r"[ -~]*(?<![ :])\Z"
)
_SIMPLE_KEY = 100  # PyYAML writes keys of 123 characters and more as "? key"


def _plain_safe(text: str) -> bool:
    """Whether PyYAML (with ``represent_str``) writes ``text`` as a plain scalar."""
    return (
        _PLAIN_SHAPE.match(text) is not None
        and ": " not in text
        and " #" not in text
        and not _AMBIGUOUS.fullmatch(text)
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR
    )


def _value_text(value: str) -> str:
    text = _VALUES.get(value)
    if text is None:
        if len(_VALUES) > _CACHE_LIMIT:
            _VALUES.clear()
        text = _VALUES[value] = value if _plain_safe(value) else _alone([value], "- ")
    if not text:
        raise _Fallback
    return text


def _key_text(key: str) -> str:
    if type(key) is not str:
        raise _Fallback
    text = _KEYS.get(key)
    if text is None:
        if len(_KEYS) > _CACHE_LIMIT:
            _KEYS.clear()
        simple = len(key) < _SIMPLE_KEY and _plain_safe(key)
        text = _KEYS[key] = key if simple else _alone({key: None}, "", ": null\n")
    if not text or text.startswith("? "):
        raise _Fallback
    return text


def _alone(document: Any, before: str, after: str = "\n") -> str:
    """The one-line text PyYAML writes between ``before`` and ``after`` for ``document``, or ""."""
    written = _pyyaml([document], _Dumper, False)
    if not (written.startswith(before) and written.endswith(after)):
        return ""
    text = written[len(before) : len(written) - len(after)]
    return "" if "\n" in text or not text else text


def _holes(count: int, family: int) -> list[str]:
    """Strings standing for the values of documents a skeleton is cut from (written plain)."""
    return [f"pipec-yamlout-hole-{family}-{index}-" for index in range(count)]


_HOLE = re.compile(r"pipec-yamlout-hole-0-([0-9]+)-")


class Skeleton:
    """The text :func:`direct` writes for documents of one shape, cut where their values go."""

    __slots__ = ("_parts", "_order")

    def __init__(self, parts: list[str], order: list[int]) -> None:
        self._parts = parts  # the texts around the values: one more than len(order)
        self._order = order  # which value goes in each cut, in the order they are written

    def fill(self, values: Sequence[Any]) -> str | None:
        """What :func:`direct` writes for the document of this shape that holds ``values``.

        Each value becomes the text the direct writer gives it wherever it
        stands (one line, the whole scalar), so no value can spill into the
        text around it. None when that writer declines a value (a multi-line
        string, a float, a list or dict: another shape), as :func:`direct`
        would decline the document.
        """
        texts = []
        try:
            for index in self._order:
                value = values[index]
                texts.append(_VALUES.get(value) or _value_text(value) if type(value) is str else _other(value))
        except _Fallback:
            return None
        written = [""] * (2 * len(texts) + 1)  # parts and texts in turn
        written[::2] = self._parts
        written[1::2] = texts
        return "".join(written)


def skeleton(build: Callable[[list[str]], Any], count: int) -> Skeleton | None:
    """The text of the document ``build`` makes of ``count`` values, cut where they are written.

    ``build(values)`` must give the document of one shape holding ``values``
    (strings) as values, each as often as the shape has it. They are
    placeholder strings the skeleton is cut at, and the cuts are checked: each
    must end a line (a value, not a key), and filled with a second set of
    placeholders the skeleton must be what :func:`direct` writes for the
    document built of them (no cut is inside another string). None when a
    check fails or :func:`direct` declines the document: documents of that
    shape are left to :func:`dump`.
    """
    text = direct([build(_holes(count, 0))])
    if text is None:
        return None
    parts, order, end = [], [], 0
    for found in _HOLE.finditer(text):
        index = int(found[1])
        if index >= count or text[found.end()] != "\n":  # a value ends its line; a key does not
            return None
        parts.append(text[end : found.start()])
        order.append(index)
        end = found.end()
    parts.append(text[end:])
    cut = Skeleton(parts, order)
    others = _holes(count, 1)
    if cut.fill(others) != direct([build(others)]):
        return None
    return cut

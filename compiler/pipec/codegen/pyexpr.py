"""Python expressions as data, printed the way black prints them.

Generated DAG files must already be in black's style without running black at
compile time. The printer knows only the few shapes codegen emits (calls, lists,
dicts, constants) and follows black's rule for them: an expression stays on one
line when the whole line fits in 88 columns; otherwise its brackets open, every
element goes on its own line, and a trailing comma is added. That trailing comma
is black's "magic trailing comma", which keeps black from ever joining the lines
again, so the output is a fixed point of black.

User text reaches Python only through :func:`py_str` (via :class:`Str`); it is
never spliced into code. Non-ASCII characters are escaped, so every line is
ASCII and its width is its length, as black measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "

_PLAIN = re.compile(r"[\x20-\x5b\x5d-\x7e]*\Z")  # printable ASCII but the backslash
_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Literals already written (the same names and values recur in every task).
_LITERALS: dict[str, str] = {}
_LITERALS_LIMIT = 100_000


def py_str(value: str) -> str:
    """Return a Python string literal for ``value``, quoted as black would quote it.

    Double quotes unless the text holds more ``"`` than ``'`` (black keeps the
    quote that needs fewer escapes, preferring double quotes on a tie).
    """
    literal = _LITERALS.get(value)
    if literal is None:
        if len(_LITERALS) > _LITERALS_LIMIT:
            _LITERALS.clear()
        literal = _LITERALS[value] = _py_str(value)
    return literal


def _py_str(value: str) -> str:
    quote = "'" if value.count('"') > value.count("'") else '"'
    if _PLAIN.match(value) and quote not in value:
        return quote + value + quote  # nothing to escape (the common case)
    return quote + "".join(_escape_char(ch, quote) for ch in value) + quote


def _escape_char(ch: str, quote: str) -> str:
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    if ch == quote:
        return "\\" + ch
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return ch
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


_NO_ELEMENTS: tuple = ()


class Expr:
    """A Python expression that can print itself flat or exploded.

    ``flat`` and ``elements`` are computed once per node and kept in its
    ``__dict__`` (the dataclasses are frozen): the printer asks at every level.
    """

    _flat: str | None = None  # (class defaults; not dataclass fields)
    _elements_cache: tuple | None = None

    def flat(self) -> str:
        """The expression on one line."""
        text = self._flat
        if text is None:
            text = self.__dict__["_flat"] = self._text()
        return text

    def _text(self) -> str:
        raise NotImplementedError

    def elements(self) -> tuple[tuple[str, Expr], ...]:
        """(prefix, element) pairs inside the brackets; empty for atoms and empty displays."""
        found = self._elements_cache
        if found is None:
            found = self.__dict__["_elements_cache"] = self._elements()
        return found

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return _NO_ELEMENTS

    def brackets(self) -> tuple[str, str]:
        """Opening and closing text around the elements (only asked when there are some)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Code(Expr):
    """Trusted code written by the compiler itself (never user text)."""

    code: str

    def _text(self) -> str:
        return self.code


@dataclass(frozen=True)
class Str(Expr):
    """A string constant; the only way user text enters generated Python."""

    value: str

    def _text(self) -> str:
        return py_str(self.value)


@dataclass(frozen=True)
class Int(Expr):
    """An integer constant."""

    value: int

    def _text(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Float(Expr):
    """A float constant (printed with ``repr``, e.g. ``0.5``, ``2.0``)."""

    value: float

    def _text(self) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class Call(Expr):
    """``func(*args, **kwargs)``; ``func`` is trusted code such as ``k8s.V1EnvVar``."""

    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return tuple([("", a) for a in self.args] + [(k + "=", v) for k, v in self.kwargs])

    def _text(self) -> str:
        texts = [a._flat or a.flat() for a in self.args]
        texts += [f"{k}={v._flat or v.flat()}" for k, v in self.kwargs]
        return f"{self.func}({', '.join(texts)})"

    def brackets(self) -> tuple[str, str]:
        return self.func + "(", ")"


@dataclass(frozen=True)
class List(Expr):
    """A list display."""

    items: tuple[Expr, ...] = ()

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return tuple([("", i) for i in self.items])

    def _text(self) -> str:
        return "[" + ", ".join([i._flat or i.flat() for i in self.items]) + "]"

    def brackets(self) -> tuple[str, str]:
        return "[", "]"


@dataclass(frozen=True)
class Tuple(Expr):
    """A tuple display: ``()``, ``(a,)``, ``(a, b)``; black keeps a one-tuple's comma flat."""

    items: tuple[Expr, ...] = ()

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return tuple([("", i) for i in self.items])

    def _text(self) -> str:
        texts = [i._flat or i.flat() for i in self.items]
        return "(" + texts[0] + ",)" if len(texts) == 1 else "(" + ", ".join(texts) + ")"

    def brackets(self) -> tuple[str, str]:
        return "(", ")"


@dataclass(frozen=True)
class Dict(Expr):
    """A dict display with string keys, in the given order."""

    items: tuple[tuple[str, Expr], ...] = ()

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return tuple([(py_str(k) + ": ", v) for k, v in self.items])

    def _text(self) -> str:
        return "{" + ", ".join([f"{py_str(k)}: {v._flat or v.flat()}" for k, v in self.items]) + "}"

    def brackets(self) -> tuple[str, str]:
        return "{", "}"


def render(
    expr: Expr, indent: int, prefix: str = "", suffix: str = "", force: bool = False
) -> list[str]:
    """Lines for ``prefix + expr + suffix`` starting at ``indent`` levels.

    Every returned line carries its full indentation. ``force`` explodes the
    outermost brackets even when the line would fit.
    """
    lines: list[str] = []
    pad = INDENT * indent
    if not force and len(pad) + len(prefix) + len(flat := expr.flat()) + len(suffix) <= LINE_LENGTH:
        lines.append(f"{pad}{prefix}{flat}{suffix}")
    else:  # an exploded expression's own flat text is never needed (a task's call is 1 kB of it)
        _explode(expr, pad, prefix, suffix, lines)
    return lines


def _explode(expr: Expr, pad: str, prefix: str, suffix: str, lines: list[str]) -> None:
    """Appends ``expr`` with its brackets open, or on one line when it is an atom."""
    elements = expr.elements()
    if not elements:
        lines.append(f"{pad}{prefix}{expr.flat()}{suffix}")
        return
    opening, closing = expr.brackets()
    lines.append(f"{pad}{prefix}{opening}")
    inner = pad + INDENT
    room = LINE_LENGTH - len(inner) - 1  # the element's prefix and text, before its comma
    for element_prefix, element in elements:
        flat = element._flat or element.flat()
        if len(element_prefix) + len(flat) <= room:
            lines.append(f"{inner}{element_prefix}{flat},")
        else:
            _explode(element, inner, element_prefix, ",", lines)
    lines.append(f"{pad}{closing}{suffix}")


def render_block(
    expr: Expr, indent: int, prefix: str = "", suffix: str = "", force: bool = False
) -> str:
    """:func:`render` joined into one string whose first line has no indentation.

    For templates, which place the first line at the right column themselves.
    """
    return "\n".join(render(expr, indent, prefix, suffix, force)).lstrip(" ")


def called(*exprs: Expr) -> set[str]:
    """Names of every function called in ``exprs`` (to derive the imports they need)."""
    found: set[str] = set()
    seen: set[int] = set()  # shared subexpressions (one instance in many calls) are walked once
    stack = list(exprs)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _ATOMS:
            continue
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        if kind is Call:
            found.add(node.func)
            stack.extend(node.args)
            stack.extend([value for _, value in node.kwargs])
        else:
            stack.extend([element for _, element in node.elements()])
    return found


_ATOMS = frozenset({Code, Str, Int, Float})

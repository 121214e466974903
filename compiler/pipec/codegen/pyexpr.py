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


def py_str(value: str) -> str:
    """Return a Python string literal for ``value``, quoted as black would quote it.

    Double quotes unless the text holds more ``"`` than ``'`` (black keeps the
    quote that needs fewer escapes, preferring double quotes on a tie).
    """
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


class Expr:
    """A Python expression that can print itself flat or exploded."""

    def flat(self) -> str:
        """The expression on one line (computed once: ``render`` asks at every level)."""
        text = self.__dict__.get("_flat")
        if text is None:
            text = self.__dict__["_flat"] = self._text()
        return text

    def _text(self) -> str:
        raise NotImplementedError

    def parts(self) -> tuple[str, tuple[tuple[str, Expr], ...], str] | None:
        """Opening text, (prefix, element) pairs and closing text; None for atoms."""
        return None


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
        return tuple(("", a) for a in self.args) + tuple((f"{k}=", v) for k, v in self.kwargs)

    def _text(self) -> str:
        inner = ", ".join(p + e.flat() for p, e in self._elements())
        return f"{self.func}({inner})"

    def parts(self) -> tuple[str, tuple[tuple[str, Expr], ...], str] | None:
        return (f"{self.func}(", self._elements(), ")") if self._elements() else None


@dataclass(frozen=True)
class List(Expr):
    """A list display."""

    items: tuple[Expr, ...] = ()

    def _text(self) -> str:
        return "[" + ", ".join(i.flat() for i in self.items) + "]"

    def parts(self) -> tuple[str, tuple[tuple[str, Expr], ...], str] | None:
        return ("[", tuple(("", i) for i in self.items), "]") if self.items else None


@dataclass(frozen=True)
class Dict(Expr):
    """A dict display with string keys, in the given order."""

    items: tuple[tuple[str, Expr], ...] = ()

    def _elements(self) -> tuple[tuple[str, Expr], ...]:
        return tuple((py_str(k) + ": ", v) for k, v in self.items)

    def _text(self) -> str:
        return "{" + ", ".join(p + v.flat() for p, v in self._elements()) + "}"

    def parts(self) -> tuple[str, tuple[tuple[str, Expr], ...], str] | None:
        return ("{", self._elements(), "}") if self.items else None


def render(
    expr: Expr, indent: int, prefix: str = "", suffix: str = "", force: bool = False
) -> list[str]:
    """Lines for ``prefix + expr + suffix`` starting at ``indent`` levels.

    Every returned line carries its full indentation. ``force`` explodes the
    outermost brackets even when the line would fit.
    """
    pad = INDENT * indent
    line = f"{pad}{prefix}{expr.flat()}{suffix}"
    parts = expr.parts()
    if parts is None or (len(line) <= LINE_LENGTH and not force):
        return [line]
    opening, elements, closing = parts
    lines = [f"{pad}{prefix}{opening}"]
    for element_prefix, element in elements:
        lines.extend(render(element, indent + 1, element_prefix, ","))
    lines.append(f"{pad}{closing}{suffix}")
    return lines


def render_block(
    expr: Expr, indent: int, prefix: str = "", suffix: str = "", force: bool = False
) -> str:
    """:func:`render` joined into one string whose first line has no indentation.

    For templates, which place the first line at the right column themselves.
    """
    return "\n".join(render(expr, indent, prefix, suffix, force)).lstrip(" ")


def called(expr: Expr) -> set[str]:
    """Names of every function called in ``expr`` (to derive the imports it needs)."""
    found = {expr.func} if isinstance(expr, Call) else set()
    parts = expr.parts()
    for _, element in parts[1] if parts else ():
        found |= called(element)
    return found

"""Re-printing the tokens of a file that parses, in the canonical layout.

Only whitespace changes: every token, comment and line break that separates entries
is kept, so the meaning cannot change. The rules (also in docs and the README):

- indentation is 2 spaces per line that opened a still-open `{`, `(` or `[`
  (several brackets opened on one line count once); a line that starts with
  closing brackets is indented like the line that opened them; a line that
  continues an `after A,` list gets 2 more spaces than its task
- one space around `=`, after `,` and `:`; none inside `( )` and `[ ]`, before
  `(`, `,`, `:`, `?`, around `.`; `{ a = 1 }` keeps one space inside its braces
  and an empty pair is `{}`; one space between any other two tokens
- no alignment: runs of spaces are never kept, so `=` signs are not lined up
- a comment after code is preceded by two spaces; a comment on its own line gets
  the line's indentation; trailing whitespace is removed (also from comments)
- line breaks stay where they are written; at most one blank line anywhere, none
  at the start of the file, right after a line that ends with an opening bracket,
  or right before a line that starts with a closing one; one final newline
- strings, numbers, names and comment text are copied byte for byte
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipec.syntax.parser import raw_token_lines

INDENT = "  "
_OPENERS = {"LBRACE", "LPAR", "LSQB"}
_CLOSERS = {"RBRACE", "RPAR", "RSQB"}
_COMMENTS = {"COMMENT", "DOC_COMMENT"}
_NO_SPACE_BEFORE = {"COMMA", "RPAR", "RSQB", "COLON", "OPTIONAL", "DOT", "LPAR"}
_NO_SPACE_AFTER = {"LPAR", "LSQB", "DOT"}


@dataclass
class Line:
    """One source line: its code ``tokens`` as ``(kind, text)``, its trailing ``comment``
    (or the whole line's), and ``newlines`` before it (2 = one blank line)."""

    tokens: list[tuple[str, str]] = field(default_factory=list)
    comment: str | None = None
    newlines: int = 0
    depth: int = 0

    @property
    def empty(self) -> bool:
        return not self.tokens and self.comment is None


def layout(text: str) -> str:
    """The canonical layout of ``text``, which must parse without errors."""
    return layout_tokens(raw_token_lines(text))


def layout_tokens(tokens: list[tuple[str, str, int]]) -> str:
    """The canonical layout of a file given as its ``raw_token_lines`` (so it is lexed once)."""
    lines = _lines(tokens)
    _indent(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i and line.newlines > 1 and not _opens(lines[i - 1]) and not _starts_closing(line):
            out.append("")
        out.append(_render(line))
    return "\n".join(out) + "\n" if out else ""


def _lines(tokens: list[tuple[str, str, int]]) -> list[Line]:
    lines: list[Line] = []
    cur, pending = Line(), 0
    for kind, value, _ in tokens:
        if kind == "_NL":
            if not cur.empty:
                lines.append(cur)
                cur = Line()
            pending += value.count("\n")
            continue
        if cur.empty:
            cur.newlines, pending = pending, 0
        if kind in _COMMENTS:
            cur.comment = value.rstrip()
        else:
            cur.tokens.append((kind, value))
    if not cur.empty:
        lines.append(cur)
    return lines


def _indent(lines: list[Line]) -> None:
    """Set ``depth`` of every line from the brackets still open and `after` continuations."""
    stack: list[int] = []  # the line index of every open bracket
    in_after = continues = False
    for i, line in enumerate(lines):
        closing = _leading_closers(line)
        line.depth = len(set(stack[:len(stack) - closing])) + (continues and not closing)
        toks = line.tokens
        for j, (kind, _) in enumerate(toks):
            if kind in _OPENERS:
                stack.append(i)
                in_after = False
            elif kind in _CLOSERS:
                if stack:
                    stack.pop()
                in_after = False
            elif kind == "AFTER":
                in_after = j + 1 < len(toks) and toks[j + 1][0] != "LPAR"
        if toks:
            continues = in_after and toks[-1][0] == "COMMA" and _next_is_name(lines, i)
            in_after = continues


def _next_is_name(lines: list[Line], i: int) -> bool:
    for line in lines[i + 1:]:
        if line.tokens:
            return line.tokens[0][0] in ("NAME", "INTERP_NAME")
    return False


def _leading_closers(line: Line) -> int:
    n = 0
    while n < len(line.tokens) and line.tokens[n][0] in _CLOSERS:
        n += 1
    return n


def _opens(line: Line) -> bool:
    return bool(line.tokens) and line.tokens[-1][0] in _OPENERS


def _starts_closing(line: Line) -> bool:
    return bool(line.tokens) and line.tokens[0][0] in _CLOSERS


def _render(line: Line) -> str:
    code = ""
    prev: str | None = None
    for kind, value in line.tokens:
        if prev is not None:
            code += _space(prev, kind)
        code += value
        prev = kind
    if line.comment is not None:
        code = f"{code}  {line.comment}" if code else line.comment
    return INDENT * line.depth + code


def _space(prev: str, kind: str) -> str:
    if kind in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER:
        return ""
    if prev == "LBRACE" and kind == "RBRACE":
        return ""
    return " "

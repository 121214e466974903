"""``pipec fmt``: the canonical layout of .pipe files (rules in ``pipec.fmt.layout``).

``format_source`` never formats a file with syntax errors: it returns their
diagnostics instead. The file is lexed once: its tokens serve both the parse (for
those errors) and the layout. The result is lexed once more and checked to mean the
same as the input (see ``meaning``): a difference is a bug in the formatter and
raises, so a file is never rewritten with another meaning.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipec.diagnostics import Diagnostic, Sink
from pipec.fmt.layout import layout_tokens
from pipec.source import Span
from pipec.syntax.parser import doc_comments, lex, parse_module, raw_token_lines, raw_tokens

__all__ = ["FormatResult", "FormatterBug", "comments", "format_source", "meaning", "shape"]

_COMMENTS = ("COMMENT", "DOC_COMMENT")


class FormatterBug(AssertionError):
    """The formatted text would mean something else than the input (never expected)."""


@dataclass(frozen=True)
class FormatResult:
    """``text`` is the formatted file, or None when ``diagnostics`` hold syntax errors."""

    text: str | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.text is not None


def format_source(path: str, text: str) -> FormatResult:
    """Format one file's ``text``; ``path`` is only used in diagnostics."""
    sink = Sink()
    try:
        lexed = lex(text)
    except ValueError:  # parse_module reports where
        lexed = None
    parse_module(path, text, sink, lexed)
    if sink.has_errors:
        return FormatResult(None, sink.sorted())
    tokens = [(tok.type, str(tok), tok.line) for tok in lexed]
    out = layout_tokens(tokens)
    if out != text:
        _verify(path, text, tokens, out)
    return FormatResult(out, [])


def _verify(path: str, text: str, tokens: list[tuple[str, str, int]], out: str) -> None:
    try:
        after = raw_token_lines(out)
    except ValueError as err:
        raise FormatterBug(f"the formatted {path} does not lex: {err}") from None
    if meaning(after, out) != meaning(tokens, text):
        raise FormatterBug(f"formatting {path} would change its syntax tree")
    if _comment_texts(after) != _comment_texts(tokens):
        raise FormatterBug(f"formatting {path} would change its comments")


def meaning(tokens: list[tuple[str, str, int]], text: str) -> tuple[list, list]:
    """What the syntax tree of a file that parses depends on, from its ``raw_token_lines``:
    its tokens without spaces and comments, every run of line breaks as one, none at the
    start or end; and the doc comment (or None) that each of these tokens starts a line of.

    Equal meanings of a file that parses and of another text prove that the other text
    parses to an equal tree (``shape``), so the formatter need not parse its result:
    - the parser sees exactly these tokens (spaces and comments are %ignore'd, and the
      lexer is the same), and the tree holds their kinds and values, never positions;
    - ``_NL`` appears in the grammar only as ``_sep: ("," | _NL)+``, which is optional at
      the start and end of the file and leaves nothing in the tree; so one line break
      and several in a row parse alike, as do none and some at either end (the layout
      post-lexer also looks only at whether a line break is there, never how many);
      tests/fmt pins this property of grammar/pipe.lark;
    - doc comments are attached by line (``Builder._doc``: the doc block that ends on
      the line before a declaration's first token), which the second list pins.
    """
    docs = doc_comments(text)
    code: list = []
    docs_of: list[str | None] = []
    for kind, value, line in tokens:
        if kind in _COMMENTS:
            continue
        if kind == "_NL":
            if code and code[-1] != "_NL":
                code.append("_NL")
            continue
        code.append((kind, value))
        docs_of.append(docs.get(line - 1))
    if code and code[-1] == "_NL":
        code.pop()
    return code, docs_of


def _comment_texts(tokens: list[tuple[str, str, int]]) -> list[str]:
    return [value.rstrip() for kind, value, _ in tokens if kind in _COMMENTS]


def shape(node):
    """A syntax tree as plain tuples without spans: equal shapes mean equal programs."""
    if isinstance(node, Span):
        return None
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,) + tuple(shape(getattr(node, f.name)) for f in dataclasses.fields(node)
                                              if f.name not in ("span", "keyword"))
    if isinstance(node, (tuple, list)):
        return tuple(shape(x) for x in node)
    return node


def comments(text: str) -> list[str]:
    """Every `#` and `///` comment of a file that lexes, without trailing whitespace."""
    return [value.rstrip() for kind, value in raw_tokens(text) if kind in ("COMMENT", "DOC_COMMENT")]

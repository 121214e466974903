"""The lexer Lark's parser runs with (``Lark(lexer=PipeLexer)``): Lark's basic lexer, made cheaper.

It matches with the scanner Lark's ``BasicLexer`` builds from the grammar (one regular
expression of every terminal, in Lark's order) and retypes keywords with Lark's own
callbacks, so the tokens are Lark's to the last field: type, value, offsets, lines
and columns, and a character no terminal starts with raises Lark's
``UnexpectedCharacters`` with the same fields. What it leaves out is Lark's
per-token bookkeeping: keyword retyping is looked up once per distinct word, and the
line counter is a pair of local variables.

Its input is either text (a ``TextSlice``, as Lark passes it) or, for a file the
formatter has already lexed, the list of tokens the parser should see.
"""

from __future__ import annotations

from copy import copy
from typing import Iterator

from lark import Token
from lark.common import LexerConf
from lark.exceptions import UnexpectedCharacters
from lark.lexer import BasicLexer, Lexer, LexerState


class PipeLexer(Lexer):
    """Lark's ``BasicLexer`` semantics for the .pipe grammar (no lexer callbacks of its own)."""

    __future_interface__ = 2

    def __init__(self, conf: LexerConf) -> None:
        basic = BasicLexer(conf)  # validates the terminals and builds the scanner and keyword callbacks
        scanner = basic.scanner
        if len(scanner._mres) != 1:  # Python's limit of 100 groups: never near it with this grammar
            raise RuntimeError("the .pipe lexer needs every terminal in one regular expression")
        self._match = scanner._mres[0].match
        self._allowed = scanner.allowed_types
        self._retype = basic.callback  # keywords: NAME tokens whose text is a keyword
        self._newline_types = basic.newline_types
        self._terminals_by_name = conf.terminals_by_name
        self.ignore = basic.ignore_types

    def lex(self, state: LexerState, parser_state) -> Iterator[Token]:
        if isinstance(state.text, list):
            return iter(state.text)
        return self._lex(state, parser_state)

    def _lex(self, state: LexerState, parser_state) -> Iterator[Token]:
        if state.text.start != 0:
            raise ValueError("the .pipe lexer reads whole texts, not slices")
        tokens, error = self.tokens(state.text.text, self.ignore, state.text.end)
        yield from tokens
        if error is not None:
            raise self.unexpected(state.text.text, error, tokens, parser_state)

    def unexpected(self, text: str, error: tuple[int, int, int], tokens: list[Token],
                   parser_state=None) -> UnexpectedCharacters:
        """The error Lark's lexer raises where ``tokens`` stopped at ``error``."""
        pos, line, column = error
        allowed = (self._allowed - self.ignore) or {"<END-OF-FILE>"}
        return UnexpectedCharacters(text, pos, line, column, allowed=allowed, token_history=tokens[-1:] or None,
                                    state=parser_state, terminals_by_name=self._terminals_by_name)

    def tokens(self, text: str, ignore: frozenset[str], end: int | None = None
               ) -> tuple[list[Token], tuple[int, int, int] | None]:
        """The tokens of ``text`` but those of the ``ignore``d kinds, and where lexing stopped:
        None at the end, else (offset, line, column) of a character no token starts with."""
        match, retype, newline_types, new = self._match, self._retype, self._newline_types, Token._future_new
        kinds: dict[tuple[str, str], str] = {}
        out: list[Token] = []
        append = out.append
        pos, line, line_start = 0, 1, 0
        end = len(text) if end is None else end
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                return out, (pos, line, pos - line_start + 1)
            kind, value, stop = m.lastgroup, m.group(), m.end()
            first_line, column = line, pos - line_start + 1
            if kind in newline_types and "\n" in value:
                line += value.count("\n")
                line_start = pos + value.rindex("\n") + 1
            if kind not in ignore:
                if kind in retype:
                    known = kinds.get((kind, value))
                    if known is None:
                        known = kinds[(kind, value)] = retype[kind](new(kind, value)).type
                    kind = known
                append(new(kind, value, pos, first_line, column, line, stop - line_start + 1, stop))
            pos = stop
        return out, None


def raw_lexer(conf: LexerConf) -> PipeLexer:
    """A lexer for the same terminals that keeps spaces, comments and newlines too."""
    conf = copy(conf)
    conf.ignore = ()
    return PipeLexer(conf)

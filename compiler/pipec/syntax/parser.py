"""Parsing .pipe text: the cached Lark parser, the layout post-lexer, error recovery.

Only ``pipec.syntax`` knows Lark. ``parse_module`` never raises on user input: syntax
errors become diagnostics. Recovery works per top-level declaration: when the whole
file does not parse, it is split at lines that start a declaration and each piece
is parsed on its own, so one file can report several syntax errors.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Iterator

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from pipec.diagnostics import Label, Sink
from pipec.limits import MAX_NESTING
from pipec.resources import grammar_text
from pipec.source import Span
from pipec.syntax import nodes
from pipec.syntax.build import Builder
from pipec.syntax.lexer import PipeLexer, raw_lexer

_OPEN = {"LPAR": "(", "LSQB": "[", "LBRACE": "{"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}
_DECL_START = re.compile(
    r"^(?:import|platform|environment|profile|enum|runner|tenant|pipeline|dbt)\b(?![ \t]*=)", re.M
)


class _Peekable:
    def __init__(self, stream: Iterator[Token]) -> None:
        self._it = iter(stream)
        self._buf: list[Token] = []

    def __iter__(self) -> "_Peekable":
        return self

    def __next__(self) -> Token:
        return self._buf.pop(0) if self._buf else next(self._it)

    def peek(self, k: int = 0) -> Token | None:
        while len(self._buf) <= k:
            try:
                self._buf.append(next(self._it))
            except StopIteration:
                return None
        return self._buf[k]


class Layout:
    """Post-lexer for the layout rules of spec section 2."""

    always_accept = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[str] = []
        in_after = False
        toks = _Peekable(stream)
        for tok in toks:
            kind = tok.type
            if kind == "_NL":
                if stack and stack[-1] in "([":
                    continue
                in_after = False
            elif kind in _OPEN:
                stack.append(_OPEN[kind])
                in_after = False
            elif kind in _CLOSE:
                if stack:
                    stack.pop()
                in_after = False
            elif kind == "AFTER":
                nxt = toks.peek()
                in_after = nxt is not None and nxt.type != "LPAR"
            elif kind == "COMMA" and in_after and self._continues(toks):
                while (t := toks.peek()) is not None and t.type == "_NL":
                    next(toks)
                yield Token.new_borrow_pos("AFTER_COMMA", tok.value, tok)
                continue
            yield tok

    @staticmethod
    def _continues(toks: _Peekable) -> bool:
        k = 0
        while (t := toks.peek(k)) is not None and t.type == "_NL":
            k += 1
        return t is not None and t.type in ("NAME", "INTERP_NAME")


# The parser builds syntax nodes as it goes (see pipec.syntax.build): its callbacks share
# one Builder, so one parse runs at a time.
_BUILDER = Builder()
_LOCK = threading.Lock()


@cache
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer=PipeLexer, postlex=Layout(), maybe_placeholders=True,
                transformer=_BUILDER)


def _build(path: str, base: int, line_base: int, text: str | list[Token], docs: dict, sink: Sink,
           used: set[int]) -> nodes.Module:
    """Parse ``text`` (or its tokens, see ``PipeLexer``), found at offset ``base`` (0-based line
    ``line_base``) of ``path``.

    Raises Lark's UnexpectedInput; diagnostics and used doc comments are kept only on success.
    """
    _BUILDER.reset(path, base, line_base, docs)
    module = _lark().parse(text)
    _BUILDER.commit(sink, used)
    return module


# The last parse of each path: (text, module, its diagnostics). Syntax trees are
# immutable, so a file whose text did not change is not parsed again (the
# language server re-analyses a project on every edit of one file).
_PARSED: dict[str, tuple[str, nodes.Module, tuple]] = {}


def parse_module(path: str, text: str, sink: Sink, tokens: list[Token] | None = None) -> nodes.Module:
    """Parse one file; syntax errors go to ``sink`` and the good parts are kept.

    ``tokens`` are those of ``text`` when the caller has lexed it already (``lex``).
    """
    last = _PARSED.get(path)
    if last is not None and last[0] == text:
        _, module, diags = last
    else:
        own = Sink()
        with _LOCK:  # error reports feed tokens to the parser, so they hold the lock too
            module = _parse(path, text, own, tokens)
        diags = tuple(own.items)
        _PARSED[path] = (text, module, diags)
    for diag in diags:
        sink.add(diag)
    return module


def _parse(path: str, text: str, sink: Sink, tokens: list[Token] | None) -> nodes.Module:
    if _too_deep(path, text, sink):
        return nodes.Module(path, (), ())
    docs = _doc_comments(text)
    used: set[int] = set()
    try:
        source = text if tokens is None else [t for t in tokens if t.type not in _lark().lexer_conf.ignore]
        module = _build(path, 0, 0, source, docs, sink, used)
    except UnexpectedInput as err:
        if not isinstance(err, (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF)):
            raise
    else:
        _dangling_docs(path, text, docs, used, sink)
        return module
    imports: list[nodes.Import] = []
    decls: list[nodes.Decl] = []
    for start, end in _chunks(text):
        mod = _parse_piece(path, text, start, end, sink, docs, used)
        if mod is not None:
            imports.extend(mod.imports)
            decls.extend(mod.decls)
    return nodes.Module(path, tuple(imports), tuple(decls))


_MAX_ERRORS_PER_DECL = 20


def _too_deep(path: str, text: str, sink: Sink) -> bool:
    """E709 when brackets nest deeper than ``limits.MAX_NESTING`` (outside strings and comments).

    Checked before parsing: every later stage walks values recursively, and a
    bounded depth keeps each of them within Python's stack.
    """
    depth = 0
    for m in re.finditer(r'"([^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{}]', text):
        ch = m.group(0)
        if ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                sink.emit("E709", f"brackets nest more than {MAX_NESTING} deep", Span(path, m.start(), m.end()),
                          label=f"bracket number {MAX_NESTING + 1}",
                          help="flatten the value: lists and maps nest at most "
                               f"{MAX_NESTING} deep, counting the blocks around them")
                return True
        elif ch in ")]}":
            depth = max(depth - 1, 0)
    return False


def _parse_piece(path: str, text: str, start: int, end: int, sink: Sink, docs: dict,
                 used: set[int]) -> nodes.Module | None:
    """Parse one declaration; after an error, blank the offending line and try again.

    Blanking keeps offsets, so later errors in the same declaration are still found
    at their real positions. It stops when the line holds an unbalanced bracket (its
    removal would cause follow-up errors), at an unexpected newline or the end of input,
    or when an error does not move forward.
    """
    piece, last_line = text[start:end], -1
    for _ in range(_MAX_ERRORS_PER_DECL):
        try:
            return _build(path, start, text.count("\n", 0, start), piece, docs, sink, used)
        except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as err:
            line = _error_line(err, piece)
            if line is not None and line <= last_line:
                return None
            _report(err, path, start, piece, sink)
            # At the end of input nothing is left to blank. At an unexpected newline the
            # next line continues the entry (`{` or a value on the next line): blanking
            # the line would leave it orphaned and report a follow-up error.
            if line is None or getattr(getattr(err, "token", None), "type", "") == "_NL":
                return None
            lines = piece.split("\n")
            if not _balanced(lines[line]):
                return None
            lines[line] = " " * len(lines[line])
            piece, last_line = "\n".join(lines), line
    return None


def _error_line(err: UnexpectedInput, piece: str) -> int | None:
    """0-based line of an error inside the piece; None at the end of input."""
    if isinstance(err, UnexpectedCharacters):
        return piece.count("\n", 0, err.pos_in_stream)
    tok = getattr(err, "token", None)
    if tok is None or tok.type == "$END":
        return None
    return piece.count("\n", 0, tok.start_pos)


def _balanced(line: str) -> bool:
    """No unbalanced bracket outside strings and comments."""
    code = re.sub(r'"([^"\\\n]|\\.)*"?', '""', line).split("#", 1)[0]
    return all(code.count(a) == code.count(b) for a, b in ("()", "[]", "{}"))


def _dangling_docs(path: str, text: str, docs: dict, used: set[int], sink: Sink) -> None:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for line in sorted(set(docs) - used):
        first = docs[line][1]
        begin = starts[first] + (len(text[starts[first]:]) - len(text[starts[first]:].lstrip(" \t")))
        end = text.find("\n", begin)
        sink.emit("W101", "doc comment is not followed by a declaration", Span(path, begin, end if end != -1 else len(text)),
                  label="documents nothing", help="put it right above a declaration or task, or use `#` for a comment")


def _chunks(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for m in _DECL_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return list(zip(starts, starts[1:] + [len(text)]))


def _doc_comments(text: str) -> dict[int, tuple[str, Span | None]]:
    """Doc comments keyed by the line number (0-based) of the line after them."""
    out: dict[int, tuple[str, int]] = {}
    lines = text.split("\n")
    buf: list[str] = []
    first = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("///"):
            if not buf:
                first = i
            buf.append(stripped[3:][1:] if stripped[3:4] == " " else stripped[3:])
            continue
        if buf:
            out[i] = ("\n".join(buf), first)
            buf = []
    if buf:
        out[len(lines)] = ("\n".join(buf), first)
    return out  # type: ignore[return-value]


# ---------------------------------------------------------------- error reports

_FRIENDLY = {
    "NAME": "a name", "UPPER_NAME": "an UPPER_CASE name", "INTERP_NAME": "a name",
    "STRING": "a string", "INT": "an integer", "DURATION": "a duration", "_NL": "a newline",
    "$END": "the end of the file", "AFTER_COMMA": "`,`", "COMMA": "`,`", "EQUAL": "`=`",
    "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "LBRACE": "`{`",
    "RBRACE": "`}`", "COLON": "`:`", "DOT": "`.`", "OPTIONAL": "`?`",
}


def _describe(term: str) -> str:
    if term in _FRIENDLY:
        return _FRIENDLY[term]
    if term.isupper() and term.isalpha():
        return f"`{term.lower()}`"
    return term


# terminals that start a value: listed together as "a value"
_VALUE_START = {"STRING", "INT", "DURATION", "TRUE", "FALSE", "NONE", "LSQB", "LBRACE", "NAME", "TENANT",
                "PLATFORM", "AFTER"}


def _expected(names: set[str]) -> str:
    names = set(names) - {"WS", "COMMENT", "DOC_COMMENT"}
    if {"STRING", "INT"} <= names:
        names = (names - _VALUE_START) | {"a value"}
    shown = sorted({_describe(n) for n in names})
    if len(shown) > 6:
        shown = shown[:6] + ["..."]
    return ", ".join(shown)


def _report(err: UnexpectedInput, path: str, base: int, piece: str, sink: Sink) -> None:
    if isinstance(err, UnexpectedCharacters):
        _report_char(err, path, base, piece, sink)
        return
    if isinstance(err, UnexpectedEOF) or getattr(err.token, "type", "$END") == "$END":
        at = base + len(piece.rstrip())
        expected = set(getattr(err, "expected", None) or getattr(err, "accepts", None) or ())
        opener = _unclosed(piece)
        misplaced = _misindented(piece)
        if misplaced is not None:
            _report_misindented(path, base, piece, *misplaced, sink)
            return
        secondary = [Label(Span(path, base + opener, base + opener + 1), f"this `{piece[opener]}` is never closed")] \
            if opener is not None else []
        sink.emit("E001", "unexpected end of input", Span(path, max(at - 1, 0), at),
                  label="the declaration is not finished", secondary=secondary,
                  help=(f"close it with `{_CLOSER[piece[opener]]}`" if opener is not None else
                        f"expected {_expected(expected)}" if expected else "finish the declaration"))
        return
    tok = err.token
    start = base + tok.start_pos
    end = base + (tok.end_pos if tok.end_pos is not None else tok.start_pos + len(tok.value))
    if tok.type == "_NL":
        end = start + 1
        found = "end of line"
    else:
        found = f"`{tok.value}`"
    expected = err.accepts or err.expected
    if tok.type == "AFTER" and not piece[piece.rfind("\n", 0, tok.start_pos) + 1:tok.start_pos].strip():
        _report_after_on_new_line(path, base, piece, tok, sink)
        return
    sink.emit("E001", f"unexpected {found}", Span(path, start, max(end, start + 1)),
              label=f"expected {_expected(set(expected))}", help=_hint(tok, set(expected)))


def _report_after_on_new_line(path: str, base: int, piece: str, tok: Token, sink: Sink) -> None:
    """`after` starting a line: the task ended at the newline before it."""
    start = base + tok.start_pos
    code = re.sub(r'"([^"\\\n]|\\.)*"?', lambda m: "x" * len(m.group(0)), piece[:tok.start_pos])
    code = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0)), code).rstrip()
    secondary = [Label(Span(path, base + len(code) - 1, base + len(code)), "the task ends at this line's end")] \
        if code else []
    sink.emit("E001", "`after` cannot start a line", Span(path, start, start + len(tok.value)),
              label="the task before it already ended", secondary=secondary,
              help="put `after` on the line of the task: `task b = r(...) after a`; the names after it may "
                   "continue on the next lines after a comma (`after a,` then `c`)")


def _hint(tok: Token, expected: set[str]) -> str:
    if tok.type == "_NL" and "STRING" in expected:
        return "a value starts on the line of its `=`; inside ( ) and [ ] newlines are free"
    if tok.type == "_NL" and "LBRACE" in expected:
        return "a `{` opens on the line of its header"
    if tok.type == "UPPER_NAME":
        return f"names are lowercase: write `{tok.value.lower()}`; UPPER_CASE is only for map keys"
    if "EQUAL" in expected:
        return "fields are written `name = value`"
    if tok.type in ("TASK", "FOR", "WHEN", "SECRET", "BRONZE", "SILVER", "GOLD", "IN"):
        return f"`{tok.value}` is a keyword and cannot be used as a name here"
    if "RPAR" in expected and "COMMA" in expected and tok.type not in ("RBRACE", "RSQB", "_NL"):
        return "separate arguments with `,`"
    if "RPAR" in expected:
        return "close the `(` with `)`"
    if "RSQB" in expected and "COMMA" in expected and tok.type not in ("RBRACE", "RPAR", "_NL"):
        return "separate list items with `,`"
    if "RBRACE" in expected and "COMMA" in expected:
        return "separate entries with `,` or a newline"
    return "check the syntax of this line against the language reference"


_CLOSER = {"(": ")", "[": "]", "{": "}"}


_BRACKET_OR_SKIPPED = re.compile(r'"([^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{}]')


def _bracket_pairs(piece: str, stack: list[int]):
    """Walk the brackets of ``piece`` outside strings and comments, keeping ``stack``
    of open offsets; yields (opener, closer) for each bracket closed by its match."""
    for m in _BRACKET_OR_SKIPPED.finditer(piece):
        ch = m.group(0)
        if ch in _CLOSER:
            stack.append(m.start())
        elif ch in ")]}" and stack and _CLOSER[piece[stack[-1]]] == ch:
            yield stack.pop(), m.start()


def _unclosed(piece: str) -> int | None:
    """Offset of the innermost bracket that is still open at the end of ``piece``."""
    stack: list[int] = []
    for _ in _bracket_pairs(piece, stack):
        pass
    return stack[-1] if stack else None


def _indent(piece: str, offset: int) -> tuple[int, int]:
    """(start of the line holding ``offset``, width of its indentation)."""
    start = piece.rfind("\n", 0, offset) + 1
    line = piece[start:piece.find("\n", start) if "\n" in piece[start:] else len(piece)]
    return start, len(line) - len(line.lstrip(" \t"))


def _misindented(piece: str) -> tuple[int, int] | None:
    """An opening `{` that a less indented `}` closes: (offset of that `{`, offset of that `}`).

    When a block's `}` is missing, the next `}` closes it instead of its parent; by
    indentation that `}` belongs to an outer block. Only a `}` that starts its line counts.
    """
    for opener, closer in _bracket_pairs(piece, []):
        line_start, width = _indent(piece, closer)
        if piece[closer] == "}" and line_start + width == closer and width < _indent(piece, opener)[1]:
            return opener, closer
    return None


def _report_misindented(path: str, base: int, piece: str, opener: int, closer: int, sink: Sink) -> None:
    open_line, width = _indent(piece, opener)
    header = piece[open_line + width:opener].strip() or "{"
    labels = []
    for m in re.finditer(r"\n([ \t]*)([^ \t\n#][^\n]*)", piece[opener:closer]):
        if len(m.group(1)) <= width:  # the first entry at the block's own indentation: the block ended before it
            at = opener + m.start(2)
            labels.append(Label(Span(path, base + at, base + at + len(m.group(2).rstrip())),
                                f"`}}` missing before this line?"))
            break
    labels.append(Label(Span(path, base + closer, base + closer + 1),
                        f"this `}}` closes `{header} {{` (by its indentation it belongs to an outer block)"))
    sink.emit("E001", f"`{header} {{` is never closed", Span(path, base + opener, base + opener + 1),
              label="this `{` is never closed", secondary=labels,
              help=f"add `}}` where the `{header}` block ends" +
                   (", before the line marked above" if len(labels) == 2 else ""))


def _report_char(err: UnexpectedCharacters, path: str, base: int, piece: str, sink: Sink) -> None:
    pos = base + err.pos_in_stream
    ch = piece[err.pos_in_stream]
    if ch == '"':
        line_end = piece.find("\n", err.pos_in_stream)
        line_end = len(piece) if line_end == -1 else line_end
        sink.emit("E003", "unterminated string", Span(path, pos, base + line_end),
                  label="this string is not closed on its line",
                  help='close it with `"`; write `\\n` for a newline inside a string')
        return
    word = re.match(r"[A-Za-z0-9_]+", piece[err.pos_in_stream:])
    if word and word.group(0)[0].isupper():
        sink.emit("E002", f"unexpected name `{word.group(0)}`", Span(path, pos, pos + len(word.group(0))),
                  label="names are lowercase",
                  help=f"write `{word.group(0).lower()}`; UPPER_CASE is only for map keys")
        return
    sink.emit("E002", f"unexpected character `{ch}`" if ch.isprintable() else f"unexpected character U+{ord(ch):04X}",
              Span(path, pos, pos + 1), label="not part of any token",
              help=_char_hint(ch))


def _char_hint(ch: str) -> str:
    if ch == "'":
        return 'strings use double quotes: "text"'
    if ch == "/":
        return "comments start with `#`; doc comments with `///`"
    return "remove it, or put it inside a string"


# ---------------------------------------------------------------- tokens for the formatter


@cache
def _raw_lexer() -> PipeLexer:
    return raw_lexer(_lark().lexer_conf)


_SPACE = frozenset({"WS"})


def lex(text: str) -> list[Token]:
    """Every token of ``text`` but spaces, comments and newlines included, no layout rules
    (``_NL`` may hold several newlines); ``ValueError`` when ``text`` does not lex.

    For ``pipec.fmt``, which re-prints a file that parses: comments are %ignore'd by the
    parser, so they come from a lexer that keeps them. ``parse_module`` can parse these tokens.
    """
    tokens, error = _raw_lexer().tokens(text, _SPACE)
    if error is not None:
        raise ValueError(str(_raw_lexer().unexpected(text, error, _raw_lexer().tokens(text, frozenset())[0])))
    return tokens


def raw_tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of every token of a text that lexes (``lex``)."""
    return [(tok.type, str(tok)) for tok in lex(text)]


def raw_token_lines(text: str) -> list[tuple[str, str, int]]:
    """Like ``raw_tokens`` with the 1-based line of each token; ``ValueError`` when ``text`` does not lex."""
    return [(tok.type, str(tok), tok.line) for tok in lex(text)]


def doc_comments(text: str) -> dict[int, str]:
    """The text of each doc comment block, keyed by the 0-based line right after it: a
    declaration or task whose first token is on that line is the one it documents."""
    return {line: doc for line, (doc, _) in _doc_comments(text).items()}


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of every token but spaces and newlines, comments included, up to the
    first character no token starts with (for the language server's semantic tokens: a file being
    typed is coloured as far as it lexes)."""
    tokens, _ = _raw_lexer().tokens(text, frozenset({"WS", "_NL"}))
    return [(tok.type, tok.start_pos, tok.start_pos + len(tok.value)) for tok in tokens]

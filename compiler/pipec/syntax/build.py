"""Syntax tree construction (``pipec.syntax.nodes``) during the parse, one callback per rule.

Lark's LALR parser calls the method named after a rule each time it reduces one
(``Lark(..., transformer=Builder())``), with the rule's children: tokens and the
nodes already built for its sub-rules. No Lark tree is made. Spans come from the
first and last child, which is why the grammar names the brackets that open and
close a block, map, list or call (named terminals stay in the children).

Offsets are shifted by ``base`` so that pieces parsed during error recovery keep
their positions in the whole file. Nothing here raises on user input; string
escapes and interpolations are decoded into diagnostics. A parse that fails half
way has already run some callbacks, so they write to a scratch sink that
``commit`` hands on only after a parse that succeeds, in source order (the order
in which a walk of the whole tree, left to right, would have found them).

No attribute may be named after a terminal (STRING, NAME...): Lark would call it
from the lexer.
"""

from __future__ import annotations

from lark import Token

from pipec.diagnostics import Sink
from pipec.limits import MAX_INT, MAX_STRING
from pipec.source import Span
from pipec.syntax import nodes as n
from pipec.syntax.strings import decode_name, decode_string


def _shorten(text: str, keep: int = 24) -> str:
    return text if len(text) <= keep else f"{text[:keep // 2]}...{text[-keep // 2:]}"


def _end(node) -> int:
    """End offset of a built child: a node, or the names of an `after` list."""
    return node[-1].span.end if isinstance(node, tuple) else node.span.end


class Builder:
    """The rule callbacks, and the state of the parse they are building for (see ``reset``)."""

    def __init__(self) -> None:
        self.reset("", 0, 0, {})

    def reset(self, path: str, base: int, line_base: int, docs: dict) -> None:
        """Start a parse of text found at offset ``base`` (0-based line ``line_base``) of ``path``;
        ``docs`` are the file's doc comments (``parser._doc_comments``)."""
        self.path, self.base, self.line_base, self.docs = path, base, line_base, docs
        self.used_docs: set[int] = set()
        self.sink = Sink()
        self._order: list[int] = []  # the offset of the token behind each diagnostic in self.sink

    def commit(self, sink: Sink, used_docs: set[int]) -> None:
        """Hand the diagnostics and used doc comments of a successful parse on."""
        for _, diag in sorted(zip(self._order, self.sink.items), key=lambda pair: pair[0]):
            sink.add(diag)
        used_docs |= self.used_docs

    def _emitted(self, tok: Token) -> None:
        """Record ``tok`` as the source of the diagnostics emitted since the last call."""
        self._order += [tok.start_pos] * (len(self.sink.items) - len(self._order))

    # ------------------------------------------------------------ helpers

    def _span(self, tok: Token, last) -> Span:
        """From the start of ``tok`` to the end of ``last`` (a token or a built child)."""
        end = self.base + last.end_pos if isinstance(last, Token) else _end(last)
        return Span(self.path, self.base + tok.start_pos, end)

    def _tspan(self, tok: Token) -> Span:
        return Span(self.path, self.base + tok.start_pos, self.base + tok.end_pos)

    def _name(self, tok: Token) -> n.Name:
        return n.Name(str(tok), self._tspan(tok))

    def _doc(self, tok: Token) -> str | None:
        line = self.line_base + tok.line - 1
        entry = self.docs.get(line)
        if entry is None:
            return None
        self.used_docs.add(line)
        return entry[0]

    # ------------------------------------------------------------ literal values

    def _val(self, item):
        """A value child: a literal token becomes its node; built values pass through."""
        if not isinstance(item, Token):
            return item
        return _LITERALS[item.type](self, item)

    def _string(self, tok: Token) -> n.Str:
        if len(tok) > MAX_STRING + 2:
            self.sink.emit("E710", f"a string of {len(tok) - 2} characters is longer than the limit", self._tspan(tok),
                           label=f"more than {MAX_STRING} characters",
                           help=f"strings are at most {MAX_STRING} characters; keep large content in the image")
            self._emitted(tok)
            return n.Str((), self._tspan(tok))
        parts = decode_string(str(tok), self.base + tok.start_pos, self.path, self.sink)
        self._emitted(tok)
        return n.Str(parts, self._tspan(tok))

    def _int(self, tok: Token) -> n.Int:
        return n.Int(self._number(str(tok), tok), self._tspan(tok))

    def _duration(self, tok: Token) -> n.Duration:
        digits = len(tok) - len(str(tok).lstrip("0123456789"))
        return n.Duration(self._number(str(tok[:digits]), tok), str(tok[digits:]), self._tspan(tok))

    def _number(self, digits: str, tok: Token) -> int | None:
        """The value of ASCII digits, or None (reported) beyond ``limits.MAX_INT``."""
        significant = digits.lstrip("0")
        if len(significant) <= len(str(MAX_INT)) and int(digits) <= MAX_INT:
            return int(digits)
        self.sink.emit("E214", f"the number `{_shorten(digits)}` is too large", self._tspan(tok),
                       label=f"more than {MAX_INT}", help=f"integers are at most {MAX_INT} (2^63-1)")
        self._emitted(tok)
        return None

    def _true(self, tok: Token) -> n.Bool:
        return n.Bool(True, self._tspan(tok))

    def _false(self, tok: Token) -> n.Bool:
        return n.Bool(False, self._tspan(tok))

    def _none(self, tok: Token) -> n.NoneLit:
        return n.NoneLit(self._tspan(tok))

    # ------------------------------------------------------------ rules

    def start(self, c) -> n.Module:
        imports = tuple(x for x in c if isinstance(x, n.Import))
        decls = tuple(x for x in c if isinstance(x, n.Decl))
        return n.Module(self.path, imports, decls)

    def import_decl(self, c) -> n.Import:
        alias = self._name(c[3]) if len(c) > 2 else None
        return n.Import(self._val(c[1]), alias, self._span(c[0], c[-1]))

    def platform_decl(self, c) -> n.Decl:
        return n.Decl("platform", self._tspan(c[0]), None, c[1], self._span(c[0], c[1]), doc=self._doc(c[0]))

    def _named(self, kind: str, c) -> n.Decl:
        return n.Decl(kind, self._tspan(c[0]), self._name(c[1]), c[2], self._span(c[0], c[2]), doc=self._doc(c[0]))

    def environment_decl(self, c):
        return self._named("environment", c)

    def profile_decl(self, c):
        return self._named("profile", c)

    def enum_decl(self, c):
        return self._named("enum", c)

    def tenant_decl(self, c):
        return self._named("tenant", c)

    def pipeline_decl(self, c):
        return self._named("pipeline", c)

    def dbt_decl(self, c):
        return self._named("dbt", c)

    def runner_decl(self, c) -> n.Decl:
        params = tuple(p for p in c[2:-1] if isinstance(p, n.Param))
        return n.Decl("runner", self._tspan(c[0]), self._name(c[1]), c[-1], self._span(c[0], c[-1]), params,
                      doc=self._doc(c[0]))

    def param(self, c) -> n.Param:
        optional = any(isinstance(x, Token) and x.type == "OPTIONAL" for x in c[2:])
        default = self._val(c[-1]) if len(c) > 2 and not (isinstance(c[-1], Token) and c[-1].type == "OPTIONAL") \
            else None
        return n.Param(self._name(c[0]), self._name(c[1]), optional, default,
                       self._span(c[0], default if default is not None else c[-1]))

    def block(self, c) -> n.Block:
        return n.Block(tuple(c[1:-1]), self._span(c[0], c[-1]))

    def field(self, c) -> n.Field:
        value = self._val(c[1])
        return n.Field(c[0], value, Span(self.path, c[0].span.start, value.span.end))

    def key(self, c) -> n.Name:
        return self._name(c[0])

    def task(self, c) -> n.TaskDecl:
        after = next((x for x in c[3:] if isinstance(x, tuple)), ())
        block = next((x for x in c[3:] if isinstance(x, n.Block)), None)
        return n.TaskDecl(c[1], c[2], after, block, self._span(c[0], c[-1]), doc=self._doc(c[0]))

    def task_name(self, c) -> n.TemplateName:
        tok = c[0]
        parts = decode_name(str(tok), self.base + tok.start_pos, self.path, self.sink)
        self._emitted(tok)
        return n.TemplateName(parts, self._tspan(tok))

    def after(self, c) -> tuple:
        return tuple(x for x in c if isinstance(x, n.TemplateName))

    def for_block(self, c) -> n.ForBlock:
        return n.ForBlock(self._name(c[1]), self._val(c[3]), c[4], self._span(c[0], c[4]))

    def when_block(self, c) -> n.WhenBlock:
        return n.WhenBlock(self._name(c[1]), c[2], self._span(c[0], c[2]))

    def layer_block(self, c) -> n.LayerBlock:
        return n.LayerBlock(self._name(c[0]), c[1], self._span(c[0], c[1]))

    def secret(self, c) -> n.SecretDecl:
        return n.SecretDecl(self._name(c[1]), c[2], self._span(c[0], c[2]), doc=self._doc(c[0]))

    def bare(self, c) -> n.Bare:
        return n.Bare(self._name(c[0]), self._tspan(c[0]))

    def list(self, c) -> n.ListV:
        return n.ListV(tuple(self._val(x) for x in c[1:-1] if x is not None), self._span(c[0], c[-1]))

    def map(self, c) -> n.MapV:
        return n.MapV(tuple(c[1:-1]), self._span(c[0], c[-1]))

    def map_entry(self, c) -> n.MapEntry:
        key = c[0] if isinstance(c[0], n.Name) else self._name(c[0])
        return n.MapEntry(key, self._val(c[1]))

    def call(self, c) -> n.Call:
        head = c[0]
        callee = head if isinstance(head, n.Ref) else n.Ref((self._name(head),), self._tspan(head))
        span = Span(self.path, callee.span.start, self.base + c[-1].end_pos)
        return n.Call(callee, tuple(a for a in c[2:-1] if a is not None), span)

    def arg(self, c) -> n.Arg:
        if len(c) == 1:
            value = self._val(c[0])
            return n.Arg(None, value, value.span)
        value = self._val(c[1])
        return n.Arg(self._name(c[0]), value, self._span(c[0], value))

    def ref(self, c) -> n.Ref:
        return c[0]

    def dotted(self, c) -> n.Ref:
        parts = (self._name(c[0]),) + tuple(c[1:])
        return n.Ref(parts, self._span(c[0], c[-1]))


_LITERALS = {"STRING": Builder._string, "INT": Builder._int, "DURATION": Builder._duration,
             "TRUE": Builder._true, "FALSE": Builder._false, "NONE": Builder._none}

"""Lark parse tree -> syntax tree (``pipec.syntax.nodes``), one constructor per rule.

Offsets are shifted by ``base`` so that pieces parsed during error recovery keep
their positions in the whole file. Nothing here raises on user input; string
escapes and interpolations are decoded into the sink's diagnostics.
"""

from __future__ import annotations

from lark import Token, Transformer, Tree, v_args

from pipec.diagnostics import Sink
from pipec.limits import MAX_INT, MAX_STRING
from pipec.source import Span
from pipec.syntax import nodes as n
from pipec.syntax.strings import decode_name, decode_string

_KEYWORD_VALUES = {"TRUE", "FALSE", "NONE"}


def _shorten(text: str, keep: int = 24) -> str:
    return text if len(text) <= keep else f"{text[:keep // 2]}...{text[-keep // 2:]}"


@v_args(meta=True)
class Builder(Transformer):
    def __init__(self, path: str, base: int, sink: Sink, docs: dict, used_docs: set | None = None) -> None:
        super().__init__(visit_tokens=True)
        self.used_docs = used_docs if used_docs is not None else set()
        self.path, self.base, self.sink, self.docs = path, base, sink, docs
        self.line_base = 0

    # ------------------------------------------------------------ helpers

    def _span(self, meta) -> Span:
        return Span(self.path, self.base + meta.start_pos, self.base + meta.end_pos)

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

    def module(self, tree: Tree, line_base: int = 0) -> n.Module:
        """Build a module; ``line_base`` is the 0-based line where the parsed text starts."""
        self.line_base = line_base
        return self.transform(tree)

    # ------------------------------------------------------------ terminals

    def STRING(self, tok: Token) -> n.Str:
        if len(tok) > MAX_STRING + 2:
            self.sink.emit("E710", f"a string of {len(tok) - 2} characters is longer than the limit", self._tspan(tok),
                           label=f"more than {MAX_STRING} characters",
                           help=f"strings are at most {MAX_STRING} characters; keep large content in the image")
            return n.Str((), self._tspan(tok))
        return n.Str(decode_string(str(tok), self.base + tok.start_pos, self.path, self.sink), self._tspan(tok))

    def INT(self, tok: Token) -> n.Int:
        return n.Int(self._number(str(tok), tok), self._tspan(tok))

    def DURATION(self, tok: Token) -> n.Duration:
        digits = len(tok) - len(str(tok).lstrip("0123456789"))
        return n.Duration(self._number(str(tok[:digits]), tok), str(tok[digits:]), self._tspan(tok))

    def _number(self, digits: str, tok: Token) -> int | None:
        """The value of ASCII digits, or None (reported) beyond ``limits.MAX_INT``."""
        significant = digits.lstrip("0")
        if len(significant) <= len(str(MAX_INT)) and int(digits) <= MAX_INT:
            return int(digits)
        self.sink.emit("E214", f"the number `{_shorten(digits)}` is too large", self._tspan(tok),
                       label=f"more than {MAX_INT}", help=f"integers are at most {MAX_INT} (2^63-1)")
        return None

    def TRUE(self, tok: Token) -> n.Bool:
        return n.Bool(True, self._tspan(tok))

    def FALSE(self, tok: Token) -> n.Bool:
        return n.Bool(False, self._tspan(tok))

    def NONE(self, tok: Token) -> n.NoneLit:
        return n.NoneLit(self._tspan(tok))

    # ------------------------------------------------------------ rules

    def start(self, meta, children) -> n.Module:
        imports = tuple(c for c in children if isinstance(c, n.Import))
        decls = tuple(c for c in children if isinstance(c, n.Decl))
        return n.Module(self.path, imports, decls)

    def import_decl(self, meta, c) -> n.Import:
        alias = self._name(c[3]) if len(c) > 2 else None
        return n.Import(c[1], alias, self._span(meta))

    def platform_decl(self, meta, c) -> n.Decl:
        return n.Decl("platform", self._tspan(c[0]), None, c[1], self._span(meta), doc=self._doc(c[0]))

    def _named(self, kind: str, meta, c) -> n.Decl:
        return n.Decl(kind, self._tspan(c[0]), self._name(c[1]), c[2], self._span(meta), doc=self._doc(c[0]))

    def environment_decl(self, meta, c):
        return self._named("environment", meta, c)

    def profile_decl(self, meta, c):
        return self._named("profile", meta, c)

    def enum_decl(self, meta, c):
        return self._named("enum", meta, c)

    def tenant_decl(self, meta, c):
        return self._named("tenant", meta, c)

    def pipeline_decl(self, meta, c):
        return self._named("pipeline", meta, c)

    def dbt_decl(self, meta, c):
        return self._named("dbt", meta, c)

    def runner_decl(self, meta, c) -> n.Decl:
        params = tuple(p for p in c[2:-1] if isinstance(p, n.Param))
        return n.Decl("runner", self._tspan(c[0]), self._name(c[1]), c[-1], self._span(meta), params,
                      doc=self._doc(c[0]))

    def param(self, meta, c) -> n.Param:
        optional = any(isinstance(x, Token) and x.type == "OPTIONAL" for x in c[2:])
        default = c[-1] if len(c) > 2 and not (isinstance(c[-1], Token) and c[-1].type == "OPTIONAL") else None
        return n.Param(self._name(c[0]), self._name(c[1]), optional, default, self._span(meta))

    def block(self, meta, c) -> n.Block:
        return n.Block(tuple(c), self._span(meta))

    def field(self, meta, c) -> n.Field:
        return n.Field(c[0], c[1], self._span(meta))

    def key(self, meta, c) -> n.Name:
        item = c[0]
        if isinstance(item, Token):
            return self._name(item)
        text = {n.Bool: lambda v: "true" if v.value else "false", n.NoneLit: lambda v: "none"}[type(item)](item)
        return n.Name(text, item.span)

    def task(self, meta, c) -> n.TaskDecl:
        after = next((x for x in c[3:] if isinstance(x, tuple)), ())
        block = next((x for x in c[3:] if isinstance(x, n.Block)), None)
        return n.TaskDecl(c[1], c[2], after, block, self._span(meta), doc=self._doc(c[0]))

    def task_name(self, meta, c) -> n.TemplateName:
        tok = c[0]
        parts = decode_name(str(tok), self.base + tok.start_pos, self.path, self.sink)
        return n.TemplateName(parts, self._tspan(tok))

    def after(self, meta, c) -> tuple:
        return tuple(x for x in c if isinstance(x, n.TemplateName))

    def for_block(self, meta, c) -> n.ForBlock:
        return n.ForBlock(self._name(c[1]), c[3], c[4], self._span(meta))

    def when_block(self, meta, c) -> n.WhenBlock:
        return n.WhenBlock(self._name(c[1]), c[2], self._span(meta))

    def layer_block(self, meta, c) -> n.LayerBlock:
        return n.LayerBlock(self._name(c[0]), c[1], self._span(meta))

    def secret(self, meta, c) -> n.SecretDecl:
        return n.SecretDecl(self._name(c[1]), c[2], self._span(meta), doc=self._doc(c[0]))

    def bare(self, meta, c) -> n.Bare:
        return n.Bare(self._name(c[0]), self._span(meta))

    def list(self, meta, c) -> n.ListV:
        return n.ListV(tuple(x for x in c if x is not None), self._span(meta))

    def map(self, meta, c) -> n.MapV:
        return n.MapV(tuple(c), self._span(meta))

    def map_entry(self, meta, c) -> n.MapEntry:
        key = c[0] if isinstance(c[0], n.Name) else self._name(c[0])
        return n.MapEntry(key, c[1])

    def call(self, meta, c) -> n.Call:
        callee = c[0] if isinstance(c[0], n.Ref) else n.Ref((self._name(c[0]),), self._tspan(c[0]))
        return n.Call(callee, tuple(a for a in c[1:] if a is not None), self._span(meta))

    def arg(self, meta, c) -> n.Arg:
        if len(c) == 1:
            return n.Arg(None, c[0], self._span(meta))
        return n.Arg(self._name(c[0]), c[1], self._span(meta))

    def ref(self, meta, c) -> n.Ref:
        return c[0]

    def dotted(self, meta, c) -> n.Ref:
        parts = tuple(x if isinstance(x, n.Name) else self._name(x) for x in c)
        return n.Ref(parts, self._span(meta))

"""Completion: what may be written at the cursor, from the text before it and the last analysis.

Free of LSP types. The text being typed rarely parses, so the place is read from
the text itself (``scan``): the open brackets around the cursor, the statement
typed so far in the innermost block or call, and the name being typed. What fits
there comes from the field tables the compiler checks against
(``pipec.ir.specs``), the runner being called, and the names the module sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipec.ir import specs
from pipec.ir.blocks import FieldSpec
from pipec.ir.instantiate import _OVERRIDE_TYPES
from pipec.ir.loader import GLOBAL_KINDS, LoadedModule, Program
from pipec.ir.values import BUILTIN_ENUMS, RUN_VARS, SCALAR_TYPES, TENANT_FIELDS, Ty
from pipec.syntax import nodes as n

DECL_KEYWORDS = ("import", "platform", "environment", "profile", "enum", "runner", "tenant", "pipeline")
LAYERS = ("bronze", "silver", "gold")
_WORD = re.compile(r"[a-z0-9_.]*$")


@dataclass(frozen=True)
class Item:
    """One completion: ``kind`` is keyword, field, parameter, enum value, value or a declaration kind."""

    label: str
    kind: str
    detail: str = ""
    insert: str | None = None  # text to insert when it differs from the label


@dataclass
class Place:
    """Where the cursor is: the open brackets (char, offset) and the statement typed so far."""

    brackets: list[tuple[str, int]]
    statement: str  # text from the start of the current entry or argument to the cursor
    word: str  # the (dotted) name being typed, maybe empty
    quiet: bool = False  # in a string or a comment: nothing to offer
    interp: bool = False  # inside `${...}` in a string: ``word`` is the name typed after `${`


def scan(text: str, offset: int) -> Place:
    """Read the text before ``offset``: brackets, strings and comments, the current statement."""
    brackets: list[tuple[str, int]] = []
    start, i, end = 0, 0, min(offset, len(text))
    quiet = False
    while i < end:
        ch = text[i]
        if ch == '"':
            close = _string_end(text, i, end)
            if close < 0:
                typed = re.search(r"\$\{([a-z0-9_.]*)$", text[i:end])
                if typed and not text[i:end].endswith("$${" + typed.group(1)):
                    return Place(brackets, "", typed.group(1), interp=True)
                quiet = True
                break
            i = close
            continue
        if ch == "#" or text.startswith("//", i):
            newline = text.find("\n", i, end)
            if newline < 0:
                quiet = True
                break
            i = newline
            continue
        elif ch in "([{":
            brackets.append((ch, i))
            start = i + 1
        elif ch in ")]}":
            if brackets:
                brackets.pop()
            start = i + 1
        elif ch == "," or ch == "\n" and (not brackets or brackets[-1][0] == "{"):
            start = i + 1
        i += 1
    statement = text[start:end] if not quiet else ""
    return Place(brackets, statement, _WORD.search(statement).group(), quiet)


def _string_end(text: str, i: int, end: int) -> int:
    """Just past the string that opens at ``i``: its closing quote, or the end of its line when it is
    not closed there; -1 when the cursor (``end``) is inside it."""
    j = i + 1
    while j < end:
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        if text[j] == "\n":
            return j
        j += 1
    return -1


# ---------------------------------------------------------------- what fits


class Completer:
    """Completions for one document: its text, and the module and program of its last analysis."""

    def __init__(self, text: str, offset: int, module: LoadedModule | None, program: Program | None) -> None:
        self.text, self.offset, self.module, self.program = text, offset, module, program
        self.word_start = offset

    def items(self) -> list[Item]:
        place = scan(self.text, self.offset)
        self.word_start = self.offset - len(place.word)
        if place.quiet:
            return []
        if place.interp:
            return self._interpolations(place.brackets)
        head = place.statement[:len(place.statement) - len(place.word)]
        if not place.brackets:
            return self._keywords(DECL_KEYWORDS) if not head.strip() else []
        kind, at = place.brackets[-1]
        if kind == "(":
            return self._in_parens(at, head)
        if kind == "[":
            return self._value(self._list_field(at), None)
        return self._in_block(at, head, place.brackets)

    # ------------------------------------------------------------ blocks

    def _in_block(self, at: int, head: str, brackets: list[tuple[str, int]]) -> list[Item]:
        owner = self._block_owner(at)
        stripped = head.strip()
        if re.fullmatch(r"task\s+\S+\s*=", stripped):
            return self._names_of("runner")
        line = self.text[self.text.rfind("\n", 0, self.offset) + 1:self.word_start]
        if re.fullmatch(r"\s*task\s+\S+\s*=\s*[a-z_][a-z0-9_.]*\(.*\)\s+", line):  # the call is written
            return self._keywords(("after",))
        if re.search(r"\bafter\s+([a-z0-9_${}.]+\s*,\s*)*$", head):
            return self._tasks(brackets[0][1])
        if re.fullmatch(r"when", stripped):
            return self._globals("environment")
        match = re.fullmatch(r"([a-z_][a-z0-9_]*)\s*=", stripped)
        if match:
            return self._value(self._field_type(owner, match.group(1)), match.group(1))
        if stripped:
            return []
        return self._entries(owner)

    def _block_owner(self, at: int) -> str:
        """What the block opened at ``at`` belongs to: a declaration kind, a layer, task, for, when, map."""
        line_start = self.text.rfind("\n", 0, at) + 1
        before = self.text[line_start:at].strip()
        first = before.split()[0] if before.split() else ""
        if first in DECL_KEYWORDS or first in LAYERS or first in ("task", "for", "when"):
            return first
        if before.endswith("="):
            return "map"
        if before.startswith("after ") or before.startswith(")"):  # a task header over several lines
            return "task"
        return ""

    def _specs(self, owner: str) -> tuple[FieldSpec, ...]:
        extra = (FieldSpec("schedule", Ty("any"), True), FieldSpec("tenants", Ty("list"), True))
        tables = {"platform": specs.PLATFORM, "environment": specs.ENVIRONMENT, "profile": specs.PROFILE,
                  "tenant": specs.TENANT, "pipeline": extra + tuple(specs.PIPELINE), "runner": specs.RUNNER,
                  "task": tuple(FieldSpec(k, t) for k, t in _OVERRIDE_TYPES.items())}
        return tuple(tables.get(owner, ()))

    def _entries(self, owner: str) -> list[Item]:
        items = [Item(f.name, "field", _show(f.ty) + (" (required)" if f.required else ""), f"{f.name} = ")
                 for f in self._specs(owner)]
        keywords = {"pipeline": LAYERS + ("when",), "tenant": ("secret",), "runner": ("when",),
                    "task": ("when",)}.get(owner, ())
        if owner in LAYERS or owner in ("for", "when"):
            keywords = ("task", "for", "when")
        return sorted(items, key=lambda i: i.label) + self._keywords(keywords)

    def _field_type(self, owner: str, name: str) -> Ty | None:
        return next((f.ty for f in self._specs(owner) if f.name == name), None)

    def _list_field(self, at: int) -> Ty | None:
        line_start = self.text.rfind("\n", 0, at) + 1
        match = re.search(r"([a-z_][a-z0-9_]*)\s*=\s*$", self.text[line_start:at])
        if match and match.group(1) == "tenants":
            return Ty("ref", ref_kind="tenant")
        return None

    # ------------------------------------------------------------ calls

    def _in_parens(self, at: int, head: str) -> list[Item]:
        callee = re.search(r"([a-z_][a-z0-9_.]*)\s*$", self.text[:at])
        if callee is None:
            return []
        line_start = self.text.rfind("\n", 0, callee.start()) + 1
        if self.text[line_start:callee.start()].strip() == "runner":  # `runner name(` declares parameters
            return self._types() if head.rstrip().endswith(":") else []
        runner = self._runner(callee.group(1))
        if runner is None:
            return []
        params = {p.name.text: p for p in runner.params}
        match = re.fullmatch(r"\s*([a-z_][a-z0-9_]*)\s*=\s*", head)
        if match:
            param = params.get(match.group(1))
            return self._value(self._param_type(param), None) if param is not None else []
        if head.strip():
            return []
        given = set(re.findall(r"([a-z_][a-z0-9_]*)\s*=", self._call_text(at)))
        return [Item(name, "parameter", self._param_detail(p), f"{name} = ") for name, p in params.items()
                if name not in given]

    def _call_text(self, at: int) -> str:
        return self.text[at + 1:_block_end(self.text, at)]

    def _param_detail(self, p: n.Param) -> str:
        default = self.text_of(p.default) if p.default is not None else None
        optional = "?" if p.optional else ""
        return f"{p.type.text}{optional}" + (f" = {default}" if default is not None else "")

    def text_of(self, node) -> str:
        mod = self.module
        text = self.program.sources.get(node.span.path).text if self.program and mod else ""
        return " ".join(text[node.span.start:node.span.end].split())

    def _runner(self, dotted: str) -> n.Decl | None:
        decl = self._symbol(dotted)
        return decl if decl is not None and decl.kind == "runner" else None

    def _param_type(self, p: n.Param) -> Ty | None:
        if p.type.text in SCALAR_TYPES:
            return Ty(p.type.text)
        enum = self._symbol(p.type.text)
        if enum is not None and enum.kind == "enum":
            values = tuple(e.name.text for e in enum.block.entries if isinstance(e, n.Bare))
            return Ty("enum", values=values, enum=p.type.text)
        return None

    # ------------------------------------------------------------ names

    def _interpolations(self, brackets: list[tuple[str, int]]) -> list[Item]:
        """What `${...}` may name here: loop variables, the runner's parameters, tenant, platform and
        (in a pipeline) run values."""
        outer = self.text[self.text.rfind("\n", 0, brackets[0][1]) + 1:brackets[0][1]].split() if brackets else []
        kind = outer[0] if outer else ""
        items = [Item(var, "variable", "loop variable")
                 for _, at in brackets
                 for var in re.findall(r"\bfor\s+([a-z_][a-z0-9_]*)\s+in\b", self.text[self._line_start(at):at])]
        if kind == "runner":
            header = self.text[self.text.rfind("runner", 0, brackets[0][1]):brackets[0][1]]  # `runner r(a: t) {`
            items += [Item(p, "parameter", "parameter") for p in re.findall(r"([a-z_][a-z0-9_]*)\s*:", header)]
        if kind in ("runner", "pipeline"):
            items += [Item(f"tenant.{f}", "field", "tenant") for f in TENANT_FIELDS]
        if kind == "pipeline":
            items += [Item(f"run.{v}", "field", "run value (rendered by Airflow)") for v in RUN_VARS]
        items += [Item(f"platform.{f.name}", "field", "platform") for f in specs.PLATFORM]
        return items

    def _line_start(self, at: int) -> int:
        return self.text.rfind("\n", 0, at) + 1

    def _symbol(self, dotted: str) -> n.Decl | None:
        """The declaration a dotted name refers to (without marking imports used)."""
        mod = self.module
        if mod is None:
            return None
        parts = dotted.split(".")
        if len(parts) == 2 and parts[0] in mod.aliases and parts[0] not in mod.own:
            sym = mod.aliases[parts[0]].own.get(parts[1])
        else:
            sym = mod.own.get(parts[0]) or mod.imported.get(parts[0])
        return sym.decl if sym is not None else None

    def _names_of(self, kind: str) -> list[Item]:
        if self.module is None:
            return []
        return [Item(name, kind, kind) for name in self.module.names_of_kind(kind)]

    def _globals(self, kind: str) -> list[Item]:
        names = {d.name.text for m in (self.program.modules if self.program else ()) for d in m.syntax.decls
                 if d.kind == kind and d.name is not None}
        return [Item(name, kind, kind) for name in sorted(names)]

    def _tasks(self, outer: int) -> list[Item]:
        """The tasks of the pipeline whose block opens at ``outer``, read from the text (it may not
        parse while `after` is being typed), without the task being written."""
        body = self.text[outer:_block_end(self.text, outer)]
        line_start = self.text.rfind("\n", 0, self.offset) + 1
        own = re.search(r"\btask\s+(\S+)", self.text[line_start:self.offset])
        names = set(re.findall(r"\btask\s+([a-z0-9_]*(?:\$\{[^}\s\"]*\}[a-z0-9_]*)*)", body)) - {""}
        names -= {own.group(1)} if own else set()
        return [Item(name, "task", "task") for name in sorted(names)]

    def _value(self, ty: Ty | None, field: str | None) -> list[Item]:
        if ty is not None and ty.kind == "enum":
            return [Item(v, "enum value", f"{ty.enum}") for v in ty.values]
        if ty is not None and ty.kind == "ref":
            kind = ty.ref_kind
            return self._globals(kind) if kind in GLOBAL_KINDS else self._names_of(kind)
        if field in BUILTIN_ENUMS:
            return [Item(v, "enum value", field) for v in BUILTIN_ENUMS[field]]
        items = [Item(name, "value", "") for name in (self.module.visible_names() if self.module else [])]
        if ty is not None and ty.kind == "bool":
            items = []
        return items + self._keywords(("true", "false") if ty is None or ty.kind == "bool" else ())

    def _types(self) -> list[Item]:
        enums = self.module.names_of_kind("enum") if self.module else []
        return [Item(t, "type", "type") for t in SCALAR_TYPES] + [Item(e, "enum", "enum") for e in enums]

    @staticmethod
    def _keywords(words) -> list[Item]:
        return [Item(w, "keyword") for w in words]


def _block_end(text: str, at: int) -> int:
    """The offset of the bracket closing the one at ``at`` (the end of the text if none does)."""
    depth = 0
    for i in range(at, len(text)):
        depth += text[i] in "([{"
        depth -= text[i] in ")]}"
        if depth == 0:
            return i
    return len(text)


def _show(ty: Ty) -> str:
    if ty.kind == "enum":
        return f"enum {ty.enum}: " + " | ".join(ty.values)
    if ty.kind == "ref":
        return ty.ref_kind
    return ty.kind + ("?" if ty.optional else "")


def complete(text: str, offset: int, module: LoadedModule | None, program: Program | None) -> list[Item]:
    """The completions at ``offset`` in ``text``."""
    return Completer(text, offset, module, program).items()

"""Evaluating syntax values in a scope, and checking them against expected types.

``Evaluator.eval`` turns a syntax value into a ``Val`` (references resolved as far
as the syntax allows, interpolations expanded); ``Evaluator.coerce`` checks a Val
against a ``Ty`` and returns the plain Python value, or ``INVALID`` after reporting.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from pipec import quantity
from pipec.diagnostics import Hint, Label, Sink, Suggestion
from pipec.ir.loader import LoadedModule, Symbol
from pipec.source import Span
from pipec.syntax import nodes as n

RUN_VARS = ("ds", "logical_date", "window_start", "window_end", "data_interval_start", "data_interval_end", "run_id")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
INVALID: Any = object()


@dataclass(frozen=True)
class RunPart:
    """``${run.var}`` inside text; ``span`` is where the user wrote it."""

    var: str
    span: Span


@dataclass(frozen=True)
class Val:
    """An evaluated value. kind: text int bool duration none list map name symbol call.

    ``data``: text -> tuple of str/RunPart; duration -> seconds; list -> tuple of
    Val; map -> tuple of (key Name, Val); name -> the identifier (an enum value or
    an unresolved name); symbol -> Symbol; call -> the syntax Call.
    """

    kind: str
    data: Any
    span: Span


@dataclass(frozen=True)
class Ty:
    """An expected type. kind: string text int bool duration quantity list map enum ref any."""

    kind: str
    optional: bool = False
    values: tuple[str, ...] = ()  # enum values
    enum: str = ""  # enum name, for messages
    ref_kind: str = ""  # for kind "ref": profile, tenant, pipeline, environment, runner

    def show(self) -> str:
        if self.kind == "enum":
            return f"a value of enum `{self.enum}`"
        if self.kind == "ref":
            return f"a {self.ref_kind}"
        return {"string": "a string", "text": "a string", "int": "an integer", "bool": "`true` or `false`",
                "duration": "a duration", "quantity": "a quantity string", "list": "a list",
                "map": "a map", "any": "a value", "scalar": "a string"}[self.kind]


BUILTIN_ENUMS = {
    "operator": ("docker", "kubernetes"),
    "enclave": ("standard", "high_security"),
}
SCALAR_TYPES = ("string", "int", "bool", "duration", "quantity", "list", "map")


def describe(val: Val) -> str:
    if val.kind == "symbol":
        return f"the {val.data.kind} `{val.data.name}`"
    return {"text": "a string", "int": "an integer", "bool": "a boolean", "duration": "a duration",
            "none": "`none`", "list": "a list", "map": "a map", "name": f"`{val.data}`",
            "call": "a call"}[val.kind]


def closest(word: str, candidates) -> str | None:
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates) -> str | None:
    """``did you mean `x`?`` for the closest candidate; the editor's quick fix rides along (``Hint``)."""
    close = closest(word, candidates)
    return Hint(f"did you mean `{close}`?", Suggestion(word, close)) if close else None


@dataclass
class Scope:
    """What names mean where a value is evaluated."""

    module: LoadedModule
    bindings: dict[str, Val] = field(default_factory=dict)
    tenant: dict[str, Val] | None = None  # tenant.* fields, inside runners and pipelines
    platform: dict[str, Val] | None = None
    allow_run: bool = False


class Evaluator:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._unresolved_in: dict[Span, LoadedModule] = {}  # where each unresolved name was written

    # ------------------------------------------------------------ eval

    def eval(self, node: n.Value, scope: Scope) -> Val:
        return _EVAL[type(node)](self, node, scope)

    def _str(self, node: n.Str, scope: Scope) -> Val:
        return Val("text", self.text_parts(node.parts, scope), node.span)

    def _list(self, node: n.ListV, scope: Scope) -> Val:
        return Val("list", tuple(self.eval(i, scope) for i in node.items), node.span)

    def _duration(self, node: n.Duration) -> Val:
        if node.unit not in DURATION_UNITS:
            self.sink.emit("E204", f"unknown duration unit `{node.unit}`", node.span, label="not s, m, h or d",
                           help="durations are written like 30s, 5m, 2h or 1d")
            return Val("duration", INVALID, node.span)
        if node.amount is None:
            return Val("duration", INVALID, node.span)
        seconds = node.amount * DURATION_UNITS[node.unit]
        try:
            dt.timedelta(seconds=seconds)
        except OverflowError:
            self.sink.emit("E215", f"the duration `{node.amount}{node.unit}` is longer than Python's timedelta allows",
                           node.span, label="Airflow could not load the DAG",
                           help=f"durations are at most {dt.timedelta.max.days}d")
            return Val("duration", INVALID, node.span)
        return Val("duration", seconds, node.span)

    def _map(self, node: n.MapV, scope: Scope) -> Val:
        seen: dict[str, n.Name] = {}
        out = []
        for entry in node.entries:
            if entry.key.text in seen:
                self.sink.emit("E109", f"key `{entry.key.text}` is set twice", entry.key.span, label="set again here",
                               secondary=[Label(seen[entry.key.text].span, "first set here")],
                               help="remove one of them")
                continue
            seen[entry.key.text] = entry.key
            out.append((entry.key, self.eval(entry.value, scope)))
        return Val("map", tuple(out), node.span)

    def _ref(self, node: n.Ref, scope: Scope) -> Val:
        parts = tuple(p.text for p in node.parts)
        val = self._resolve(parts, node.span, scope, node.parts[0].span)
        if val is None:
            self._unresolved_in[node.span] = scope.module
        return val if val is not None else Val("name", node.dotted, node.span)

    def _resolve(self, parts: tuple[str, ...], span: Span, scope: Scope, head_span: Span) -> Val | None:
        head = parts[0]
        if head in scope.bindings and len(parts) == 1:
            bound = scope.bindings[head]
            return Val(bound.kind, bound.data, span) if bound.kind != "text" else bound
        if head == "run" and "run" not in scope.bindings:
            return self._run(parts, span, scope)
        if head == "tenant" and len(parts) == 2:
            return self._field_of("tenant", scope.tenant, parts[1], span)
        if head == "platform" and len(parts) == 2:
            return self._field_of("platform", scope.platform, parts[1], span)
        sym, used = scope.module.lookup(parts)
        if sym is None:
            if len(parts) > 1 or head in ("tenant", "platform"):
                self._undefined(".".join(parts), span, scope)
                return Val("name", INVALID, span)
            return None
        if len(parts) > used:
            return self._field_access(sym, parts, used, span)
        return Val("symbol", sym, span)

    def _field_access(self, sym: Symbol, parts, used: int, span: Span) -> Val:
        """``parts[:used]`` name ``sym`` (``t.acme`` through an import alias); ``parts[used]`` is the field."""
        if sym.kind == "tenant":
            self.sink.emit("E401", f"`{'.'.join(parts)}` names the data of tenant `{sym.name}`", span,
                           label="cross-tenant reference", help=_cross_tenant_help(sym, parts[used]))
        else:
            self.sink.emit("E201", f"the {sym.kind} `{sym.name}` has no fields to read", span,
                           help="only `tenant.*`, `platform.*` and `run.*` have fields")
        return Val("name", INVALID, span)

    def _run(self, parts, span: Span, scope: Scope) -> Val:
        var = parts[1] if len(parts) == 2 else ""
        if var not in RUN_VARS:
            self.sink.emit("E503", f"unknown runtime value `{'.'.join(parts)}`", span, label="not a runtime value",
                           help="runtime values are " + ", ".join(f"run.{v}" for v in RUN_VARS))
            return Val("text", (), span)
        return Val("text", (RunPart(var, span),), span)

    def _field_of(self, what: str, fields: dict[str, Val] | None, name: str, span: Span) -> Val:
        if fields is None:
            self.sink.emit("E105", f"`{what}.{name}` is not available here", span,
                           help=f"`{what}.*` can be used inside runners and pipelines" if what == "tenant"
                           else "declare a `platform` block")
            return Val("name", INVALID, span)
        if name not in fields:
            hint = did_you_mean(name, fields) or f"{what} fields: " + ", ".join(sorted(fields))
            self.sink.emit("E107", f"`{what}` has no field `{name}`", span, label="unknown field", help=hint)
            return Val("name", INVALID, span)
        got = fields[name]
        return Val(got.kind, got.data, span)

    def _undefined(self, name: str, span: Span, scope: Scope) -> None:
        dotted = [f"{what}.{k}" for what, fields in (("tenant", scope.tenant), ("platform", scope.platform))
                  for k in fields or ()] + ([f"run.{v}" for v in RUN_VARS] if scope.allow_run else [])
        hint = did_you_mean(name, scope.module.visible_names() + list(scope.bindings) + dotted)
        self.sink.emit("E105", f"undefined name `{name}`", span, label="not declared",
                       help=hint or "declare it, or import the file that does")

    def text_parts(self, parts: tuple[n.StrPart, ...], scope: Scope) -> tuple:
        """Literal text and interpolated values, in order (runtime values as RunPart)."""
        out: list = []
        for part in parts:
            if isinstance(part, n.Lit):
                out.append(part.text)
                continue
            val = self._resolve(part.path, part.span, scope, part.span)
            if val is None:
                self._undefined(".".join(part.path), part.span, scope)
                continue
            out.extend(self.as_text_parts(val, part.span))
        return tuple(out)

    def as_text_parts(self, val: Val, span: Span) -> tuple:
        """A scalar value as text parts (for interpolation and for args/env elements)."""
        if val.data is INVALID:
            return ()
        if val.kind == "text":
            return val.data
        if val.kind in ("int", "name"):
            return (str(val.data),)
        if val.kind == "bool":
            return ("true" if val.data else "false",)
        if val.kind == "none":
            self.sink.emit("E210", "`none` cannot be part of a string", span, label="this value is `none`",
                           help="give the parameter a value, or leave the optional value out of the string")
            return ()
        self.sink.emit("E201", f"{describe(val)} cannot be part of a string", span,
                       help="only strings, integers, booleans and enum values can be interpolated")
        return ()

    # ------------------------------------------------------------ coerce

    def coerce(self, val: Val, ty: Ty, what: str) -> Any:
        if val.data is INVALID:
            return INVALID
        if val.kind == "none":
            if ty.optional:
                return None
            self.sink.emit("E210", f"{what} cannot be `none`", val.span, help=f"give {ty.show()}")
            return INVALID
        return _COERCE[ty.kind](self, val, ty, what)

    def _mismatch(self, val: Val, ty: Ty, what: str, help: str | None = None) -> Any:
        self.sink.emit("E201", f"{what} expects {ty.show()}, found {describe(val)}", val.span,
                       label=f"expected {ty.show()}", help=help or _mismatch_help(val, ty))
        return INVALID

    def _to_any(self, val: Val, ty: Ty, what: str) -> Any:
        return val

    def _to_text(self, val: Val, ty: Ty, what: str) -> Any:
        if val.kind == "name":
            return self._unresolved(val, what)
        return val.data if val.kind == "text" else self._mismatch(val, ty, what)

    def _to_scalar(self, val: Val, ty: Ty, what: str) -> Any:
        """An element of args/entrypoint/env: strings, integers, booleans, enum values."""
        if val.kind in ("text", "int", "bool") or (val.kind == "name" and val.data is not INVALID):
            if val.kind == "name":
                return self._unresolved(val, what)
            return self.as_text_parts(val, val.span)
        return self._mismatch(val, ty, what)

    def _unresolved(self, val: Val, what: str) -> Any:
        self.sink.emit("E105", f"undefined name `{val.data}`", val.span, label="not declared",
                       help='write a string in quotes: "' + str(val.data) + '"')
        return INVALID

    def _to_string(self, val: Val, ty: Ty, what: str) -> Any:
        if val.kind != "text":
            if val.kind == "name":
                return self._unresolved(val, what)
            return self._mismatch(val, ty, what)
        runs = [p for p in val.data if isinstance(p, RunPart)]
        for run in runs:
            self.sink.emit("E501", f"`run.{run.var}` cannot be used in {what}", run.span,
                           label="only known when the task runs",
                           help="runtime values may only reach a task's `args` and `env`")
        return INVALID if runs else "".join(val.data)

    def _to_quantity(self, val: Val, ty: Ty, what: str) -> Any:
        text = self._to_string(val, ty, what) if val.kind == "text" else self._mismatch(
            val, ty, what, help='quantities are strings such as "500m" or "2Gi"')
        if text is INVALID:
            return INVALID
        try:
            value = quantity.parse(text)
        except quantity.QuantityError as err:
            if err.kind == "syntax":
                self.sink.emit("E202", f"`{text}` is not a Kubernetes quantity", val.span, label="not a quantity",
                               help='write cpu like "500m" or "2", memory like "512Mi" or "8Gi"')
            else:
                self.sink.emit("E212", f"`{text}` is out of range for a Kubernetes quantity", val.span,
                               label="too large or too fine",
                               help="quantities lie between 1n and 2^63-1, e.g. \"500m\", \"64Gi\"")
            return INVALID
        if value <= 0:
            self.sink.emit("E213", f"{what} must be more than zero", val.span, label=f"`{text}` asks for nothing",
                           help="a zero limit means unlimited to Docker and an unschedulable pod to a quota; "
                                'give a size such as "500m" or "512Mi"')
            return INVALID
        return text

    def _to_int(self, val: Val, ty: Ty, what: str) -> Any:
        return val.data if val.kind == "int" else self._mismatch(val, ty, what)

    def _to_bool(self, val: Val, ty: Ty, what: str) -> Any:
        return val.data if val.kind == "bool" else self._mismatch(val, ty, what)

    def _to_duration(self, val: Val, ty: Ty, what: str) -> Any:
        if val.kind == "duration":
            return val.data
        hint = f"write `{val.data}m` or `{val.data}s`" if val.kind == "int" else None
        return self._mismatch(val, ty, what, help=hint)

    def _to_list(self, val: Val, ty: Ty, what: str) -> Any:
        return val.data if val.kind == "list" else self._mismatch(val, ty, what)

    def _to_map(self, val: Val, ty: Ty, what: str) -> Any:
        return val.data if val.kind == "map" else self._mismatch(val, ty, what)

    def _to_enum(self, val: Val, ty: Ty, what: str) -> Any:
        name = val.data.name if val.kind == "symbol" else val.data if val.kind == "name" else None
        if name is None:
            return self._mismatch(val, ty, what, help="values: " + ", ".join(ty.values))
        if name not in ty.values:
            hint = did_you_mean(name, ty.values)
            self.sink.emit("E205", f"`{name}` is not a value of enum `{ty.enum}`", val.span,
                           label=f"expected one of: {', '.join(ty.values)}",
                           help=hint or "values: " + ", ".join(ty.values))
            return INVALID
        return name

    def _to_ref(self, val: Val, ty: Ty, what: str) -> Any:
        if val.kind == "name":
            self.sink.emit("E105", f"undefined {ty.ref_kind} `{val.data}`", val.span, label="not declared",
                           help=self._ref_hint(val, ty))
            return INVALID
        if val.kind != "symbol":
            return self._mismatch(val, ty, what)
        if val.data.kind != ty.ref_kind:
            self.sink.emit("E106", f"`{val.data.name}` is a {val.data.kind}, not a {ty.ref_kind}", val.span,
                           label=f"expected a {ty.ref_kind}",
                           secondary=[Label(val.data.decl.name.span, f"{val.data.kind} declared here")],
                           help=f"{what} takes a {ty.ref_kind}")
            return INVALID
        return val.data

    def _ref_hint(self, val: Val, ty: Ty) -> str:
        module = self._unresolved_in.get(val.span)
        hint = did_you_mean(str(val.data), module.names_of_kind(ty.ref_kind)) if module is not None else None
        return hint or f"declare `{ty.ref_kind} {val.data} {{ ... }}` or import the file that does"


_EVAL = {  # syntax value type -> how it evaluates (a type outside ``n.Value`` is a compiler bug: KeyError)
    n.Str: Evaluator._str, n.ListV: Evaluator._list, n.MapV: Evaluator._map, n.Ref: Evaluator._ref,
    n.Duration: lambda ev, node, scope: ev._duration(node),
    n.Int: lambda ev, node, scope: Val("int", INVALID if node.value is None else node.value, node.span),
    n.Bool: lambda ev, node, scope: Val("bool", node.value, node.span),
    n.NoneLit: lambda ev, node, scope: Val("none", None, node.span),
    n.Call: lambda ev, node, scope: Val("call", node, node.span),
}


_COERCE = {kind: getattr(Evaluator, f"_to_{kind}") for kind in  # Ty.kind -> its check
           ("any", "text", "scalar", "string", "quantity", "int", "bool", "duration", "list", "map", "enum", "ref")}


def names_read(node: n.Value) -> set[str]:
    """The first part of every name a value reads: ``x`` of ``x``, ``x.y`` and ``${x.y}``."""
    if isinstance(node, n.Ref):
        return {node.parts[0].text}
    if isinstance(node, n.Str):
        return {p.path[0] for p in node.parts if isinstance(p, n.Interp)}
    if isinstance(node, n.ListV):
        return set().union(*(names_read(i) for i in node.items))
    if isinstance(node, n.MapV):
        return set().union(*(names_read(e.value) for e in node.entries))
    if isinstance(node, n.Call):
        return {node.callee.parts[0].text}.union(*(names_read(a.value) for a in node.args))
    return set()


TENANT_FIELDS = ("name", "schema", "namespace", "pool", "enclave")  # ``TenantDef.scope_fields``


def _cross_tenant_help(sym: Symbol, name: str) -> str:
    """The `tenant.*` spelling when there is one; a secret slot is not a value at all."""
    if name in TENANT_FIELDS:
        return f"write `tenant.{name}`: each tenant's DAG sees only its own data"
    slots = {e.slot.text for e in sym.decl.block.entries if isinstance(e, n.SecretDecl)}
    if name in slots:
        return (f"`{name}` is a secret slot, not a value: list it in the runner's `secrets = [{name}]` "
                f"(or `secrets = {{ ENV_NAME = {name} }}`) and each tenant's task gets its own `{name}`")
    return "tenant fields are reached as `tenant.FIELD`: " + ", ".join(f"`tenant.{f}`" for f in TENANT_FIELDS)


def _mismatch_help(val: Val, ty: Ty) -> str:
    """How to write the value the type expects, from the value that was found."""
    text = "".join(p for p in val.data if isinstance(p, str)) if val.kind == "text" else None
    if ty.kind in ("string", "text", "quantity", "scalar") and val.kind in ("int", "bool"):
        shown = val.data if val.kind == "int" else str(val.data).lower()
        return f'write it in quotes: "{shown}"'
    if ty.kind == "int" and text is not None and text.lstrip("-").isdigit():
        return f"write the number without quotes: {text}"
    if ty.kind == "bool" and text in ("true", "false"):
        return f"write it without quotes: {text}"
    if ty.kind == "list" and val.kind != "list":
        return "write a list in brackets: [a, b]"
    return f"give {ty.show()}"

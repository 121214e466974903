"""Reading a block's entries against a closed set of fields (spec 3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipec.diagnostics import Label, Sink
from pipec.ir.values import INVALID, Evaluator, Scope, Ty, did_you_mean
from pipec.source import Span
from pipec.syntax import nodes as n


@dataclass(frozen=True)
class FieldSpec:
    """One field a block may hold: its type, and whether it must be given."""

    name: str
    ty: Ty
    required: bool = False


@dataclass
class Read:
    """The fields found in a block: value and the span of the field entry."""

    values: dict[str, Any]
    spans: dict[str, Span]
    nodes: dict[str, n.Field]

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name, default)
        return default if value is INVALID else value


ENTRY_NAMES = {
    n.Field: "a field", n.TaskDecl: "a task", n.ForBlock: "a `for` block", n.WhenBlock: "a `when` block",
    n.LayerBlock: "a layer block", n.SecretDecl: "a secret slot", n.Bare: "a bare name",
}


def misplaced(sink: Sink, entry: n.Entry, where: str, allowed: str) -> None:
    sink.emit("E111", f"{ENTRY_NAMES[type(entry)]} cannot appear in {where}", entry.span,
              label="not allowed here", help=f"{where} holds {allowed}")


def fields_of(block: n.Block, sink: Sink, where: str, allowed: str,
              extra: tuple[type, ...] = ()) -> tuple[dict[str, n.Field], list[n.Entry]]:
    """Fields of a block by name (duplicates reported) and the other allowed entries."""
    found: dict[str, n.Field] = {}
    others: list[n.Entry] = []
    for entry in block.entries:
        if isinstance(entry, n.Field):
            first = found.get(entry.key.text)
            if first is not None:
                sink.emit("E109", f"`{entry.key.text}` is set twice", entry.key.span, label="set again here",
                          secondary=[Label(first.key.span, "first set here")], help="remove one of them")
                continue
            found[entry.key.text] = entry
        elif isinstance(entry, extra):
            others.append(entry)
        else:
            misplaced(sink, entry, where, allowed)
    return found, others


def read_fields(found: dict[str, n.Field], specs: tuple[FieldSpec, ...], ev: Evaluator, scope: Scope,
                where: str, missing_at: Span) -> Read:
    """Check field names, evaluate and coerce each value, report missing required fields."""
    by_name = {s.name: s for s in specs}
    out = Read({}, {}, {})
    for name, fld in found.items():
        spec = by_name.get(name)
        if spec is None:
            hint = did_you_mean(name, by_name) or "fields: " + ", ".join(sorted(by_name))
            ev.sink.emit("E107", f"{where} has no field `{name}`", fld.key.span, label="unknown field", help=hint)
            continue
        out.values[name] = ev.coerce(ev.eval(fld.value, scope), spec.ty, f"`{name}`")
        out.spans[name] = fld.value.span
        out.nodes[name] = fld
    for spec in specs:
        if spec.required and spec.name not in found:
            ev.sink.emit("E108", f"{where} is missing the required field `{spec.name}`", missing_at,
                         label=f"needs `{spec.name}`", help=f"add `{spec.name} = ...` ({spec.ty.show()})")
            out.values[spec.name] = INVALID
    return out

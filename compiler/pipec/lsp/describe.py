"""Hover text (markdown) for a target, and the outline of a file.

Signatures and values are shown as written: they are sliced from the source
text, with runs of whitespace (a parameter list over several lines) collapsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pipec.lsp.index import Target
from pipec.source import Span
from pipec.syntax import nodes as n

TextOf = Callable[[Span], str]  # the source text of a span


def _squash(text: str) -> str:
    return " ".join(text.split())


def _fence(code: str) -> str:
    return f"```pipe\n{code}\n```"


def hover_markdown(target: Target, text_of: TextOf) -> str:
    """Kind, name, signature or value, where it is declared, and the `///` doc comment."""
    head, doc = _HEADS[target.kind](target, text_of)
    body = "\n\n".join(part for part in (_where(target), doc) if part)
    return _fence(head) + (f"\n\n---\n\n{body}" if body else "")


def _where(target: Target) -> str:
    owner = target.owner
    if target.kind == "task":
        layer = f"`{target.layer}` task" if target.layer else "task"
        return f"{layer} of pipeline `{owner.name.text}` in `{target.module.path}`"
    if target.kind in ("parameter", "enum value", "secret", "loop variable") and owner is not None:
        return f"in {owner.kind} `{owner.name.text if owner.name else owner.kind}` (`{target.module.path}`)"
    if target.kind == "module":
        return ""
    return f"declared in `{target.module.path}`"


def _decl(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    decl: n.Decl = target.node
    if decl.kind == "runner":
        params = ", ".join(_squash(text_of(p.span)) for p in decl.params)
        return f"runner {target.name}({params})", decl.doc
    if decl.kind in ("profile", "enum", "environment"):
        body = text_of(decl.block.span)  # as written: fields may be separated by newlines
        return f"{decl.kind} {target.name} {body if body.count(chr(10)) < 12 else '{ ... }'}", decl.doc
    if decl.kind == "platform":
        return "platform", decl.doc
    return f"{decl.kind} {target.name}", decl.doc


def _task(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    task: n.TaskDecl = target.node
    call = _squash(text_of(task.call.span))
    after = f" after {', '.join(a.text for a in task.after)}" if task.after else ""
    return f"task {target.name} = {call}{after}", task.doc


def _param(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    return f"(parameter) {_squash(text_of(target.node.span))}", None


def _enum_value(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    enum: n.Decl = target.owner
    return f"(enum value) {enum.name.text}.{target.name}", enum.doc


def _loop_var(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    loop: n.ForBlock = target.node
    return f"for {target.name} in {_squash(text_of(loop.iterable.span))}", None


def _secret(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    sec: n.SecretDecl = target.node
    return f"secret {target.name} = {_squash(text_of(sec.call.span))}", sec.doc


def _module(target: Target, text_of: TextOf) -> tuple[str, str | None]:
    return f'import "{target.name.removesuffix(".pipe") if target.module.is_std else target.name}"', None


_HEADS = {
    "runner": _decl, "profile": _decl, "enum": _decl, "environment": _decl, "tenant": _decl,
    "pipeline": _decl, "dbt": _decl, "platform": _decl, "task": _task, "parameter": _param,
    "enum value": _enum_value, "loop variable": _loop_var, "secret": _secret, "module": _module,
}


# ---------------------------------------------------------------- outline


@dataclass
class OutlineItem:
    """One entry of a file's outline: ``span`` is the whole entry, ``selection`` its name."""

    name: str
    kind: str
    detail: str
    span: Span
    selection: Span
    children: list["OutlineItem"] = field(default_factory=list)


def outline(module: n.Module) -> list[OutlineItem]:
    """Top-level declarations; a pipeline's tasks (with their layer) and an enum's values as children."""
    items = []
    for decl in module.decls:
        name = decl.name.text if decl.name is not None else "platform"
        selection = decl.name.span if decl.name is not None else decl.keyword
        detail = decl.kind if decl.kind != "runner" else "runner(" + ", ".join(p.name.text for p in decl.params) + ")"
        item = OutlineItem(name, decl.kind, detail, decl.span, selection)
        if decl.kind == "pipeline":
            item.children = _task_items(decl.block, None)
        elif decl.kind == "enum":
            item.children = [OutlineItem(e.name.text, "enum value", "", e.span, e.name.span)
                             for e in decl.block.entries if isinstance(e, n.Bare)]
        elif decl.kind == "tenant":
            item.children = [OutlineItem(e.slot.text, "secret", "secret", e.span, e.slot.span)
                             for e in decl.block.entries if isinstance(e, n.SecretDecl)]
        items.append(item)
    return items


def _task_items(block: n.Block | None, layer: str | None) -> list[OutlineItem]:
    out: list[OutlineItem] = []
    for entry in block.entries if block is not None else ():
        if isinstance(entry, n.TaskDecl):
            out.append(OutlineItem(entry.name.text, "task", layer or "", entry.span, entry.name.span))
        elif isinstance(entry, n.ForBlock):
            out.extend(_task_items(entry.block, layer))
        elif isinstance(entry, n.LayerBlock):
            out.extend(_task_items(entry.block, entry.layer.text))
    return out

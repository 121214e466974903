"""Find references and rename: every occurrence of a target in a project's files.

Free of LSP types. An analysis (``Result``) indexes each project module; two
occurrences mean the same thing when their targets are declared at the same
place. Renaming edits only the name inside an occurrence: the last part of a
dotted reference (``std.dbt_run``), the variable in ``${t}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipec.lsp.index import Occurrence, Target
from pipec.lsp.session import Result
from pipec.source import Span
from pipec.syntax import nodes as n

NAME = re.compile(r"[a-z][a-z0-9_]*")
KEYWORDS = frozenset({
    "import", "as", "platform", "environment", "profile", "enum", "runner", "tenant", "pipeline", "secret",
    "bronze", "silver", "gold", "task", "after", "when", "for", "in", "true", "false", "none",
    "run", "std", "k8s_secret", "email", "manual",
})
RENAMABLE = ("runner", "profile", "tenant", "pipeline", "environment", "enum", "task", "parameter",
             "enum value", "loop variable", "secret")


class RenameError(Exception):
    """Why a name cannot be renamed (shown to the user as the error of the request)."""


def key(target: Target) -> tuple:
    """Targets declared at the same place are the same thing."""
    return (target.kind, target.module.path, target.span.start, target.span.end)


def references(result: Result, target: Target) -> list[Occurrence]:
    """Every occurrence of ``target`` in the project files of ``result``, its declaration included."""
    wanted, out = key(target), []
    for mod in result.analysis.program.modules if result.analysis.program else ():
        if mod.is_std:
            continue
        out += [occ for occ in result.index(mod).occurrences if key(occ.target) == wanted]
    if target.module.is_std and not any(o.span == target.span for o in out):
        out.insert(0, Occurrence(target.span, target))
    return sorted(set(out), key=lambda o: (o.span.path, o.span.start, o.span.end))


@dataclass(frozen=True)
class Edit:
    span: Span
    text: str


def check_rename(target: Target) -> None:
    """Raise ``RenameError`` when ``target`` is not something a rename may change."""
    if target.kind not in RENAMABLE:
        raise RenameError(f"a {target.kind} cannot be renamed")
    if target.module.is_std:
        raise RenameError(f"`{target.name}` is declared in the standard library (`{target.module.path}`) "
                          "and cannot be renamed")
    if target.kind == "task" and not NAME.fullmatch(target.name):
        raise RenameError(f"`{target.name}` is a task name made in a `for` loop: edit it in the file")


def rename(result: Result, target: Target, new: str) -> list[Edit]:
    """The edits that rename ``target`` to ``new`` everywhere in the project."""
    check_rename(target)
    if not NAME.fullmatch(new):
        raise RenameError(f"`{new}` is not a name: names are lowercase letters, digits and `_`, "
                          "starting with a letter")
    if new in KEYWORDS:
        raise RenameError(f"`{new}` is a keyword or built-in name")
    clash = _clash(result, target, new)
    if clash:
        raise RenameError(clash)
    edits = []
    for occ in references(result, target):
        span = _name_span(result, occ, target.name)
        if span is not None:
            edits.append(Edit(span, new))
    return sorted(set(edits), key=lambda e: (e.span.path, e.span.start))


def _name_span(result: Result, occ: Occurrence, name: str) -> Span | None:
    """Where ``name`` is written inside an occurrence (None when it is not written there)."""
    text = result.text(occ.span.path)[occ.span.start:occ.span.end]
    found = [m for m in re.finditer(rf"(?<![a-z0-9_]){re.escape(name)}(?![a-z0-9_])", text)]
    if not found:
        return None
    m = found[0] if text.startswith("${") else found[-1]
    return Span(occ.span.path, occ.span.start + m.start(), occ.span.start + m.end())


def _clash(result: Result, target: Target, new: str) -> str | None:
    """A declaration that already uses ``new`` where the renamed one would collide with it."""
    if target.kind in ("runner", "profile", "tenant", "pipeline", "environment", "enum"):
        for mod in result.analysis.program.modules if result.analysis.program else ():
            for decl in mod.syntax.decls:
                if decl.name is not None and decl.name.text == new:
                    return f"`{new}` is already declared in `{mod.path}` ({decl.kind})"
    elif target.kind == "parameter":
        if any(p.name.text == new for p in target.owner.params):
            return f"runner `{target.owner.name.text}` already has a parameter `{new}`"
    elif target.kind == "task" and new in _task_names(target.owner):
        return f"pipeline `{target.owner.name.text}` already has a task `{new}`"
    elif target.kind == "secret" and any(isinstance(e, n.SecretDecl) and e.slot.text == new
                                         for e in target.owner.block.entries):
        return f"tenant `{target.owner.name.text}` already has a secret `{new}`"
    elif target.kind == "enum value" and any(isinstance(e, n.Bare) and e.name.text == new
                                             for e in target.owner.block.entries):
        return f"enum `{target.owner.name.text}` already has a value `{new}`"
    return None


def _task_names(pipeline: n.Decl) -> set[str]:
    names: set[str] = set()

    def walk(block: n.Block | None) -> None:
        for entry in block.entries if block is not None else ():
            if isinstance(entry, n.TaskDecl):
                names.add(entry.name.text)
            elif isinstance(entry, (n.ForBlock, n.LayerBlock, n.WhenBlock)):
                walk(entry.block)
    walk(pipeline.block)
    return names

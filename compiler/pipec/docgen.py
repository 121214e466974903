"""`pipec docs`: static Markdown documentation of a project, built from the checked definitions.

Pages (paths relative to the output folder):

- ``index.md``: platform, environments, tenants and pipelines at a glance
- ``pipelines/<name>.md``: doc comment, settings, the Mermaid task graph
  (``pipec.graph`` for that one pipeline) and the tasks of each layer
- ``runners.md``: every runner the project declares and every stdlib runner it calls
- ``tenants.md``: every tenant with its settings and secret slots

Doc comments are Markdown and go into the pages as written, outside tables.
Every other piece of user text in a table cell passes through ``cell`` or
``code_cell``, so a ``|``, a newline or a backtick cannot break the table.
Values are shown as written in the source (``retry_delay = 10m``, not 600).

Output is deterministic: everything sorted by name, no timestamps, no versions,
no absolute paths (project files are shown relative to the project root).
"""

from __future__ import annotations

import re
from pathlib import Path

from pipec import graph
from pipec.ir import specs
from pipec.ir.decls import Defs, PipelineDef, RunnerDef, TaskDef, TenantDef
from pipec.ir.loader import LoadedModule
from pipec.source import SourceMap, Span
from pipec.syntax import nodes as n

LAYERS = graph.LAYERS


# ---------------------------------------------------------------- escaping


def cell(text: object) -> str:
    """``text`` as plain text in one Markdown table cell: no table syntax, no code spans, no HTML."""
    out = str(text).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("|", "\\|").replace("`", "\\`").replace("\r\n", "\n").replace("\r", "\n")
    return out.replace("\n", "<br>")


def code_cell(text: object) -> str:
    """``text`` as a code span in a table cell, or as escaped plain text when it cannot be one."""
    text = str(text)
    if "`" in text or "\n" in text or "\r" in text or not text.strip():
        return cell(text)
    return "`" + text.replace("|", "\\|") + "`"


def fence(text: str, lang: str = "") -> list[str]:
    """A fenced code block around ``text``, with a fence longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    mark = "`" * max(3, longest + 1)
    return [mark + lang, text.rstrip("\n"), mark]


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table; cells must already be escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _doc(doc: str | None) -> list[str]:
    return [doc.strip("\n"), ""] if doc and doc.strip() else []


def _page(lines: list[str]) -> bytes:
    text = "\n".join(lines).rstrip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", text).encode("utf-8")


# ---------------------------------------------------------------- reading


class Project:
    """What the pages need: the definitions, the source text (values as written) and the project root."""

    def __init__(self, defs: Defs, sources: SourceMap, root: Path) -> None:
        self.defs, self.sources, self.root = defs, sources, root

    def text(self, span: Span) -> str:
        """The source text of ``span``."""
        src = self.sources.get(span.path)
        return src.text[span.start:span.end] if src else ""

    def where(self, mod: LoadedModule) -> str:
        """The module's file: ``std/...`` for the stdlib, else relative to the project root."""
        if mod.is_std:
            return mod.path
        try:
            return mod.real.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return mod.real.name

    def runner_of(self, p: PipelineDef, task: TaskDef) -> RunnerDef | None:
        sym, used = p.module.lookup(tuple(part.text for part in task.call.callee.parts))
        if sym is None or sym.kind != "runner" or used != len(task.call.callee.parts):
            return None
        return self.defs.runners.get(sym.decl.span)

    def runners(self) -> list[RunnerDef]:
        """The project's runners and the stdlib runners its tasks call, by name and file."""
        called = {r.decl.span for p in self.defs.pipelines.values() for t in p.tasks
                  if (r := self.runner_of(p, t)) is not None}
        found = [r for span, r in self.defs.runners.items() if not r.module.is_std or span in called]
        return sorted(found, key=lambda r: (r.name, r.module.is_std, self.where(r.module)))


def schedule(p: PipelineDef, link: bool = False) -> str:
    """The schedule as a table cell; ``after(p)`` links to the upstream pipeline's page."""
    if p.schedule is None:
        return "none"
    kind, value, _ = p.schedule
    if kind == "manual":
        return "manual"
    if kind == "after":
        up = value[0]
        return f"after [`{up}`]({up}.md)" if link else f"after [`{up}`](pipelines/{up}.md)"
    return code_cell(value)


# ---------------------------------------------------------------- index.md


def index_page(pj: Project) -> bytes:
    d = pj.defs
    lines = ["# Project documentation", "",
             "Generated by `pipec docs` from the project's `.pipe` files; do not edit.", "",
             "See also: [runners](runners.md), [tenants](tenants.md).", "", "## Platform", ""]
    if d.platform is None:
        lines += ["The project has no `platform` block.", ""]
    else:
        lines += _doc(d.platform_decl.doc)
        values = specs.platform_values(d.platform)
        shown = {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in values.items() if v not in (None, ())}
        lines += table(("setting", "value"), [(k, code_cell(v)) for k, v in sorted(shown.items())])
        lines.append("")
    lines += ["## Environments", ""]
    rows = [(f"`{name}`", _settings_cell(pj, read.nodes), cell(decl.doc or ""))
            for name, (read, decl) in sorted(d.envs.items())]
    lines += table(("environment", "settings", "doc"), rows) if rows else ["None are declared."]
    lines += ["", "## Tenants", ""]
    rows = [(f"[`{t.name}`](tenants.md#{t.name})", *_tenant_cells(t)) for _, t in sorted(d.tenants.items())]
    lines += table(("tenant", "schema", "namespace", "enclave", "quota", "pool"), rows) if rows else ["None."]
    lines += ["", "## Pipelines", ""]
    rows = [(f"[`{p.name}`](pipelines/{p.name}.md)", schedule(p), _tenant_links(p, "tenants.md"))
            for _, p in sorted(d.pipelines.items())]
    lines += table(("pipeline", "schedule", "tenants"), rows) if rows else ["None."]
    return _page(lines)


def _settings_cell(pj: Project, nodes: dict[str, n.Field]) -> str:
    return "<br>".join(f"{k} = {code_cell(pj.text(f.value.span))}" for k, f in sorted(nodes.items()))


def _tenant_cells(t: TenantDef) -> tuple[str, ...]:
    quota = t.read.get("quota") or {}
    return (code_cell(t.read.get("schema", "")), code_cell(t.read.get("namespace", "")),
            code_cell(t.read.get("enclave", "standard")),
            ", ".join(f"{k} {code_cell(v)}" for k, v in sorted(quota.items())),
            code_cell(t.read.get("pool", 8)))


def _tenant_links(p: PipelineDef, page: str) -> str:
    return ", ".join(f"[`{name}`]({page}#{name})" for name in sorted(name for name, _ in p.tenants))


# ---------------------------------------------------------------- pipelines/<name>.md


def pipeline_page(pj: Project, p: PipelineDef) -> bytes:
    lines = [f"# Pipeline `{p.name}`", "", "[index](../index.md) · [runners](../runners.md) · "
             "[tenants](../tenants.md)", ""]
    lines += _doc(p.decl.doc)
    lines += ["## Settings", ""]
    rows = [("schedule", schedule(p, link=True)), ("tenants", _tenant_links(p, "../tenants.md") or "none"),
            ("file", code_cell(pj.where(p.module)))]
    rows += [(k, code_cell(pj.text(f.value.span))) for k, f in sorted(p.read.nodes.items())
             if k not in ("schedule", "tenants")]
    lines += table(("setting", "value"), rows)
    lines += ["", "## Task graph", ""]
    lines += fence(graph.to_mermaid(graph.build(pj.defs, p.name)), "mermaid")
    for layer in LAYERS:
        tasks = sorted((t for t in p.tasks if t.layer == layer), key=lambda t: t.name)
        if tasks:
            lines += ["", f"## {layer.capitalize()}", ""]
            lines += table(("task", "runner", "upstream", "doc"), [_task_row(pj, p, t) for t in tasks])
    return _page(lines)


def _task_row(pj: Project, p: PipelineDef, t: TaskDef) -> tuple[str, ...]:
    runner = pj.runner_of(p, t)
    shown = t.call.callee.dotted
    ran = f"[`{shown}`](../runners.md#{runner.name})" if runner else code_cell(shown)
    upstream = ", ".join(f"`{up}`" for up in sorted({up for up, _ in t.after})) or "none"
    return f"`{t.name}`", ran, upstream, cell(t.doc or "")


# ---------------------------------------------------------------- runners.md


def runners_page(pj: Project) -> bytes:
    lines = ["# Runners", "", "[index](index.md)", "",
             "The project's runners and the standard library runners its tasks call.", ""]
    for r in pj.runners():
        lines += _runner(pj, r)
    return _page(lines)


def _runner(pj: Project, r: RunnerDef) -> list[str]:
    origin = "standard library" if r.module.is_std else "project"
    lines = [f"## {r.name}", "", f"Declared in `{pj.where(r.module)}` ({origin}).", ""]
    lines += fence(_signature(pj, r.decl), "pipe") + [""]
    lines += _doc(r.decl.doc)
    if r.decl.params:
        rows = [(f"`{p.name.text}`", code_cell(p.type.text + ("?" if p.optional else "")),
                 code_cell(pj.text(p.default.span)) if p.default is not None else "required")
                for p in r.decl.params]
        lines += table(("parameter", "type", "default"), rows) + [""]
    image = r.fields.get("image")
    lines += [f"Image: {code_cell(pj.text(image.value.span)) if image else 'none'}", ""]
    lines += _secrets(pj, r.fields.get("secrets"))
    return lines


def _signature(pj: Project, decl: n.Decl) -> str:
    params = [f"{p.name.text}: {p.type.text}{'?' if p.optional else ''}"
              + (f" = {pj.text(p.default.span)}" if p.default is not None else "") for p in decl.params]
    one_line = f"runner {decl.name.text}({', '.join(params)})"
    if len(one_line) <= 100 and "\n" not in one_line:
        return one_line
    return f"runner {decl.name.text}(\n" + "".join(f"  {p},\n" for p in params) + ")"


def _secrets(pj: Project, fld: n.Field | None) -> list[str]:
    if fld is None:
        return ["Secret slots: none.", ""]
    if not isinstance(fld.value, n.MapV):
        return [f"Secret slots: {code_cell(pj.text(fld.value.span))}", ""]
    rows = sorted((pj.text(e.value.span), e.key.text) for e in fld.value.entries)
    return ["Secret slots:", ""] + table(("slot", "environment variable"),
                                         [(code_cell(slot), code_cell(var)) for slot, var in rows]) + [""]


# ---------------------------------------------------------------- tenants.md


def tenants_page(pj: Project) -> bytes:
    lines = ["# Tenants", "", "[index](index.md)", ""]
    for name, t in sorted(pj.defs.tenants.items()):
        lines += [f"## {name}", ""] + _doc(t.decl.doc)
        schema, namespace, enclave, quota, pool = _tenant_cells(t)
        egress = ", ".join(code_cell(f"{c}:{port}") for c, port in t.read.get("egress") or []) or "none"
        pipelines = sorted(p.name for p in pj.defs.pipelines.values() if name in (x for x, _ in p.tenants))
        rows = [("schema", schema), ("namespace", namespace), ("enclave", enclave), ("quota", quota),
                ("pool", pool), ("egress", egress),
                ("pipelines", ", ".join(f"[`{p}`](pipelines/{p}.md)" for p in pipelines) or "none")]
        lines += table(("setting", "value"), rows) + [""]
        secrets = [(f"`{slot}`", code_cell(s[0]), code_cell(s[1])) for slot, s in sorted(t.secrets.items())]
        lines += ["Secret slots:", ""] + table(("slot", "Kubernetes secret", "key"), secrets) if secrets \
            else ["Secret slots: none."]
        lines.append("")
    return _page(lines)


# ---------------------------------------------------------------- all pages


def render(defs: Defs, sources: SourceMap, root: Path) -> dict[str, bytes]:
    """Every page, by path relative to the output folder (POSIX separators)."""
    pj = Project(defs, sources, root)
    pages = {"index.md": index_page(pj), "runners.md": runners_page(pj), "tenants.md": tenants_page(pj)}
    for name, p in sorted(defs.pipelines.items()):
        pages[f"pipelines/{name}.md"] = pipeline_page(pj, p)
    return dict(sorted(pages.items()))

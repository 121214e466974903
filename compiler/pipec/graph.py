"""`pipec graph`: the task graph of the pipelines as Mermaid, Graphviz dot, SVG or PNG.

The graph is drawn from the checked definitions (``Defs``), not from the IR, so
it needs no environment; ``for`` loops are already expanded into tasks there.
One cluster per pipeline holds one cluster per non-empty layer; solid edges are
``after`` between tasks, dashed edges are ``schedule = after(p)`` between pipelines.

Output is deterministic: pipelines and tasks sorted by name, layers in run
order, edges sorted. Node ids are built from names (``P_<pipeline>_T_<task>``);
names are lowercase identifiers, so the upper-case separators cannot collide and
no id is a keyword of either language. User text (labels) is always escaped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

from pipec.ir.decls import Defs, PipelineDef

FORMATS = ("mermaid", "dot", "svg", "png")
IMAGE_FORMATS = ("svg", "png")
LAYERS = ("bronze", "silver", "gold")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class GraphError(Exception):
    """A usage problem (unknown pipeline, no Graphviz): exit code 2."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.message, self.help = message, help


@dataclass(frozen=True)
class PipelineNode:
    """One pipeline: ``label`` names it and its schedule; ``layers`` lists (layer, sorted task names)."""

    name: str
    label: str
    layers: tuple[tuple[str, tuple[str, ...]], ...]
    edges: tuple[tuple[str, str], ...]  # (upstream task, downstream task), sorted


@dataclass(frozen=True)
class Graph:
    """Pipelines sorted by name and the ``after(p)`` edges (upstream, downstream) between them."""

    pipelines: tuple[PipelineNode, ...]
    links: tuple[tuple[str, str], ...] = field(default=())


# ---------------------------------------------------------------- building


def build(defs: Defs, only: str | None = None) -> Graph:
    """The graph of every pipeline, or of ``only`` (then links to other pipelines are left out)."""
    if only is not None and only not in defs.pipelines:
        known = ", ".join(sorted(defs.pipelines)) or "none are declared"
        raise GraphError(f"unknown pipeline `{only}`", f"pipelines: {known}")
    names = sorted(defs.pipelines) if only is None else [only]
    links = sorted((p.schedule[1][0], p.name) for p in map(defs.pipelines.get, names)
                   if p.schedule and p.schedule[0] == "after" and p.schedule[1][0] in names)
    return Graph(tuple(_pipeline(defs.pipelines[n]) for n in names), tuple(links))


def _pipeline(p: PipelineDef) -> PipelineNode:
    layers = tuple((layer, tuple(sorted(t.name for t in p.tasks if t.layer == layer))) for layer in LAYERS)
    edges = sorted({(up, t.name) for t in p.tasks for up, _ in t.after})
    return PipelineNode(_checked(p.name), f"{p.name} ({_schedule(p)})",
                        tuple((l, ts) for l, ts in layers if ts), tuple(edges))


def _schedule(p: PipelineDef) -> str:
    if p.schedule is None:
        return "no schedule"
    kind, value, _ = p.schedule
    if kind == "manual":
        return "manual"
    if kind == "after":
        return f"after {value[0]}"
    return str(value)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):  # ids are built from names; the grammar guarantees this shape
        raise AssertionError(f"graph: `{name}` is not a lowercase identifier")
    return name


def pipeline_id(pipeline: str) -> str:
    return f"P_{_checked(pipeline)}"


def layer_id(pipeline: str, layer: str) -> str:
    return f"P_{_checked(pipeline)}_L_{layer}"


def task_id(pipeline: str, task: str) -> str:
    return f"P_{_checked(pipeline)}_T_{_checked(task)}"


# ---------------------------------------------------------------- mermaid


def mermaid_label(text: str) -> str:
    """``text`` as a quoted Mermaid label: entity codes for every character Mermaid would read."""
    special = {'"': "#34;", "#": "#35;", "&": "#38;", "<": "#60;", ">": "#62;", "`": "#96;", "\n": " ", "\r": " "}
    return '"' + "".join(special.get(c, c) for c in text) + '"'


def to_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]
    for p in graph.pipelines:
        lines.append(f"  subgraph {pipeline_id(p.name)}[{mermaid_label(p.label)}]")
        lines.append("    direction LR")
        for layer, tasks in p.layers:
            lines.append(f"    subgraph {layer_id(p.name, layer)}[{mermaid_label(layer)}]")
            lines += [f"      {task_id(p.name, t)}[{mermaid_label(t)}]" for t in tasks]
            lines.append("    end")
        lines.append("  end")
    for p in graph.pipelines:
        lines += [f"  {task_id(p.name, a)} --> {task_id(p.name, b)}" for a, b in p.edges]
    lines += [f"  {pipeline_id(a)} -.-> {pipeline_id(b)}" for a, b in graph.links]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- dot


def dot_string(text: str) -> str:
    """``text`` as a double-quoted dot string; backslashes are doubled so dot reads no escapes in labels."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: Graph) -> str:
    lines = ["digraph pipec {", "  compound=true;", "  rankdir=LR;", "  node [shape=box];"]
    anchors = {}
    for p in graph.pipelines:
        lines.append(f"  subgraph {dot_string('cluster_' + pipeline_id(p.name))} {{")
        lines.append(f"    label={dot_string(p.label)};")
        for layer, tasks in p.layers:
            lines.append(f"    subgraph {dot_string('cluster_' + layer_id(p.name, layer))} {{")
            lines.append(f"      label={dot_string(layer)};")
            lines += [f"      {dot_string(task_id(p.name, t))} [label={dot_string(t)}];" for t in tasks]
            lines.append("    }")
        anchors[p.name] = _anchor(p, lines)
        lines.append("  }")
    for p in graph.pipelines:
        lines += [f"  {dot_string(task_id(p.name, a))} -> {dot_string(task_id(p.name, b))};" for a, b in p.edges]
    for a, b in graph.links:
        ends = f"ltail={dot_string('cluster_' + pipeline_id(a))}, lhead={dot_string('cluster_' + pipeline_id(b))}"
        lines.append(f"  {dot_string(anchors[a])} -> {dot_string(anchors[b])} [style=dashed, {ends}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _anchor(p: PipelineNode, lines: list[str]) -> str:
    """A node inside the pipeline's cluster for edges between pipelines (dot draws edges between nodes only)."""
    for _, tasks in p.layers:
        return task_id(p.name, tasks[0])
    lines.append(f"    {dot_string(pipeline_id(p.name))} [shape=point, style=invis];")
    return pipeline_id(p.name)


# ---------------------------------------------------------------- images


def require_graphviz(fmt: str) -> str | None:
    """The path of Graphviz's `dot` when ``fmt`` is an image format; GraphError if it is not installed."""
    if fmt not in IMAGE_FORMATS:
        return None
    found = shutil.which("dot")
    if found is None:
        raise GraphError(f"`--format {fmt}` needs Graphviz's `dot` program, which is not on PATH",
                         "install Graphviz (apt-get install graphviz) or use --format dot")
    return found


def to_image(dot_text: str, fmt: str) -> bytes:
    proc = subprocess.run([require_graphviz(fmt), f"-T{fmt}"], input=dot_text.encode(), capture_output=True)
    if proc.returncode != 0:
        raise GraphError(f"Graphviz `dot -T{fmt}` failed: {proc.stderr.decode(errors='replace').strip()}",
                         "use --format dot and run Graphviz yourself to see the problem")
    return proc.stdout


RENDERERS = {"mermaid": to_mermaid, "dot": to_dot}


def draw(defs: Defs, fmt: str, only: str | None = None) -> bytes:
    """The graph of ``defs`` in ``fmt`` (one of FORMATS) as the bytes to write."""
    graph = build(defs, only)
    if fmt in IMAGE_FORMATS:
        return to_image(to_dot(graph), fmt)
    if fmt not in RENDERERS:
        raise ValueError(f"graph: unknown format {fmt!r}")
    return RENDERERS[fmt](graph).encode()

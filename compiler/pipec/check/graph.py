"""Graph checks with networkx: task cycles, layer order, pipeline after() edges."""

from __future__ import annotations

import networkx as nx

from pipec.diagnostics import Label, Sink
from pipec.ir.decls import Defs, PipelineDef
from pipec.ir.values import did_you_mean
from pipec.syntax import nodes as n

LAYER_RANK = {"bronze": 0, "silver": 1, "gold": 2}


def check_layers_and_cycles(defs: Defs, sink: Sink) -> None:
    for name in sorted(defs.pipelines):
        pipe = defs.pipelines[name]
        graph = _task_graph(pipe, sink)
        _layer_order(pipe, graph, sink)
        _cycles(graph, sink, "E301", "task")


def _task_graph(pipe: PipelineDef, sink: Sink) -> nx.DiGraph:
    graph = nx.DiGraph()
    first = {}
    for task in pipe.tasks:
        if task.name in first:
            sink.emit("E110", f"task `{task.name}` is declared twice in pipeline `{pipe.name}`", task.span,
                      label="declared again here", secondary=_first_declared(first[task.name], task),
                      help="task names are unique per pipeline across layers")
            continue
        first[task.name] = task
        graph.add_node(task.name, layer=task.layer, span=task.span)
    for task in pipe.tasks:
        if first.get(task.name) is not task:
            continue
        for up, span in task.after:
            if up not in first:
                sink.emit("E105", f"no task `{up}` in pipeline `{pipe.name}`", span, label="unknown task",
                          help=did_you_mean(up, first) or "`after` names tasks of the same pipeline")
                continue
            graph.add_edge(up, task.name, span=span)
    return graph


def _first_declared(first, again) -> list[Label]:
    """Where the first task of a name came from; for one `for` template, the loop values."""
    if first.span != again.span:
        return [Label(first.span, "first declared here")]
    return [label for var in sorted(again.bindings) if first.bindings.get(var) is not None
            and first.bindings[var].span != again.bindings[var].span
            for label in (Label(first.bindings[var].span, f"`{var}` gives `{first.name}` here"),
                          Label(again.bindings[var].span, "and again here"))]


def _layer_order(pipe: PipelineDef, graph: nx.DiGraph, sink: Sink) -> None:
    for up, down, data in sorted(graph.edges(data=True), key=lambda e: e[2]["span"]):
        up_layer, down_layer = graph.nodes[up]["layer"], graph.nodes[down]["layer"]
        if LAYER_RANK[up_layer] > LAYER_RANK[down_layer]:
            sink.emit("E302", f"{down_layer} task `{down}` runs after {up_layer} task `{up}`", data["span"],
                      label=f"`{up}` is in a later layer",
                      secondary=[Label(graph.nodes[up]["span"], f"`{up}` is declared in `{up_layer}`")],
                      help="layers run bronze, then silver, then gold: move one of the tasks, or drop the edge")


def _cycles(graph: nx.DiGraph, sink: Sink, code: str, what: str) -> None:
    for component in sorted((sorted(c) for c in nx.strongly_connected_components(graph)), key=lambda c: c[0]):
        start = component[0]
        if len(component) == 1 and not graph.has_edge(start, start):
            continue
        edges = nx.find_cycle(graph.subgraph(component), source=start)
        labelled = sorted(((graph.edges[u, v]["span"], u, v) for u, v in edges[: len(edges)]))
        (span, u, v), rest = labelled[0], labelled[1:]
        # find_cycle returns a cycle reachable from `start`, which need not pass through it
        path = " -> ".join([edges[0][0]] + [v for _, v in edges])
        sink.emit(code, f"{what}s depend on each other in a cycle: {path}", span,
                  label=f"`{v}` runs after `{u}`",
                  secondary=[Label(s, f"`{b}` runs after `{a}`") for s, a, b in rest],
                  help="remove one of these edges")


def check_pipeline_schedule(defs: Defs, sink: Sink) -> None:
    graph = nx.DiGraph()
    for name in sorted(defs.pipelines):
        pipe = defs.pipelines[name]
        graph.add_node(name)
        if not pipe.schedule or pipe.schedule[0] != "after":
            continue
        upstream, span = pipe.schedule[1]
        up = defs.pipelines.get(upstream)
        if up is None:
            sink.emit("E105", f"undefined pipeline `{upstream}`", span, label="not declared",
                      help=did_you_mean(upstream, defs.pipelines) or "`after(...)` names another pipeline")
            continue
        graph.add_edge(upstream, name, span=span)
        _tenant_subset(pipe, up, sink)
    _cycles(graph, sink, "E303", "pipeline")


def _tenant_subset(pipe: PipelineDef, up: PipelineDef, sink: Sink) -> None:
    listed = up.read.nodes.get("tenants")
    if listed is None or not isinstance(listed.value, n.ListV) or len(listed.value.items) != len(up.tenants):
        return  # the upstream's tenant list has errors of its own: comparing would only add noise
    upstream = {t for t, _ in up.tenants}
    for tenant, span in pipe.tenants:
        if tenant not in upstream:
            sink.emit("E304", f"tenant `{tenant}` does not run upstream pipeline `{up.name}`", span,
                      label="not a tenant of the upstream pipeline",
                      secondary=[Label(up.read.spans.get("tenants", up.decl.name.span), f"tenants of `{up.name}`")],
                      help=f"add `{tenant}` to the tenants of `{up.name}`, or remove it here")

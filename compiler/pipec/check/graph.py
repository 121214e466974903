"""Graph checks: task cycles, layer order, pipeline after() edges.

The graphs are built as ``Graph`` (the few DiGraph operations the checks use,
in networkx's iteration order); networkx is imported only to name a cycle, so a
project without one never pays for importing it.
"""

from __future__ import annotations

from typing import Any

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


class Graph:
    """A directed graph with node and edge attributes, iterated like ``networkx.DiGraph``
    (nodes in insertion order, each node's successors in insertion order)."""

    def __init__(self) -> None:
        self.nodes: dict[Any, dict] = {}
        self.succ: dict[Any, dict[Any, dict]] = {}

    def add_node(self, node, **attrs) -> None:
        self.nodes.setdefault(node, {}).update(attrs)
        self.succ.setdefault(node, {})

    def add_edge(self, u, v, **attrs) -> None:
        for node in (u, v):
            if node not in self.succ:
                self.add_node(node)
        self.succ[u].setdefault(v, {}).update(attrs)

    def edges(self, data: bool = False) -> list:
        return [(u, v, d) if data else (u, v) for u, out in self.succ.items() for v, d in out.items()]

    def acyclic(self) -> bool:
        """True when no node is on a cycle (Kahn's algorithm)."""
        indegree = dict.fromkeys(self.nodes, 0)
        for _, v in self.edges():
            indegree[v] += 1
        ready = [n for n, d in indegree.items() if d == 0]
        seen = 0
        while ready:
            seen += 1
            for child in self.succ[ready.pop()]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
        return seen == len(self.nodes)

    def to_networkx(self):
        import networkx as nx

        graph = nx.DiGraph()
        for node, attrs in self.nodes.items():
            graph.add_node(node, **attrs)
        for u, v, d in self.edges(data=True):
            graph.add_edge(u, v, **d)
        return graph


def _task_graph(pipe: PipelineDef, sink: Sink) -> Graph:
    graph = Graph()
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
                # never suggest the task itself: that would be a cycle of one task
                others = [name for name in first if name != task.name]
                sink.emit("E105", f"no task `{up}` in pipeline `{pipe.name}`", span, label="unknown task",
                          secondary=_loop_values(task, span),
                          help=did_you_mean(up, others) or "`after` names tasks of the same pipeline")
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


def _loop_values(task, span) -> list[Label]:
    """For a task of a `for` loop: where the loop value that formed a name comes from."""
    return [Label(v.span, f"`{var}` is `{v.data[0]}` here") for var, v in sorted(task.bindings.items())
            if v.kind == "text" and v.data and v.span.path == span.path]


def _layer_order(pipe: PipelineDef, graph: Graph, sink: Sink) -> None:
    """One error per `after` entry: the edges a `for` loop makes from one entry are one mistake."""
    wrong: dict[tuple, list[str]] = {}
    for up, down, data in sorted(graph.edges(data=True), key=lambda e: e[2]["span"]):
        if LAYER_RANK[graph.nodes[up]["layer"]] > LAYER_RANK[graph.nodes[down]["layer"]]:
            wrong.setdefault((data["span"], up), []).append(down)
    for (span, up), downs in wrong.items():
        up_layer, down_layer = graph.nodes[up]["layer"], graph.nodes[downs[0]]["layer"]
        tasks = f"task `{downs[0]}`" if len(downs) == 1 else f"tasks {', '.join(f'`{d}`' for d in sorted(downs))}"
        sink.emit("E302", f"{down_layer} {tasks} {'runs' if len(downs) == 1 else 'run'} after {up_layer} task `{up}`",
                  span, label=f"`{up}` is in a later layer",
                  secondary=[Label(graph.nodes[up]["span"], f"`{up}` is declared in `{up_layer}`")],
                  help="layers run bronze, then silver, then gold: move one of the tasks, or drop the edge")


def _cycles(found: Graph, sink: Sink, code: str, what: str) -> None:
    if found.acyclic():
        return
    import networkx as nx

    graph = found.to_networkx()
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
    graph = Graph()
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

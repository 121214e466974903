"""The graph code that runs without networkx agrees with networkx (which pipec imports only
to name a cycle): task order inside a layer and whether a graph has a cycle."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.check.graph import Graph
from pipec.ir.instantiate import _Cyclic, _lexicographic_order

NAMES = st.sampled_from([f"t{i}" for i in range(10)])
GRAPHS = st.tuples(st.lists(NAMES, max_size=10), st.lists(st.tuples(NAMES, NAMES), max_size=15))


def _nx(nodes, edges) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


@settings(max_examples=400, derandomize=True)
@given(GRAPHS, st.booleans())
def test_the_order_is_networkx_lexicographical_topological_sort(graph, forward_only):
    names, pairs = graph
    nodes = sorted(set(names))
    edges = {(u, v) for u, v in pairs if u in nodes and v in nodes and (u < v or not forward_only)}
    expected, theirs = [], None
    try:
        expected.extend(nx.lexicographical_topological_sort(_nx(nodes, edges)))
    except nx.NetworkXUnfeasible:
        theirs = "cycle"
    got, ours = [], None
    try:
        got.extend(_lexicographic_order(nodes, edges))
    except _Cyclic:
        ours = "cycle"
    assert (got, ours) == (expected, theirs)


@settings(max_examples=400, derandomize=True)
@given(GRAPHS)
def test_the_graph_iterates_and_finds_cycles_as_networkx(graph):
    names, pairs = graph
    ours, theirs = Graph(), nx.DiGraph()  # the same calls on both
    for g in (ours, theirs):
        for name in names:
            g.add_node(name, layer="bronze")
        for i, (u, v) in enumerate(pairs):
            g.add_edge(u, v, span=i % 3)  # repeated edges keep their first place and their last data
    assert ours.acyclic() == nx.is_directed_acyclic_graph(theirs)
    assert ours.edges(data=True) == list(theirs.edges(data=True))
    assert list(ours.nodes.items()) == list(theirs.nodes(data=True))
    again = ours.to_networkx()
    assert list(again.edges(data=True)) == list(theirs.edges(data=True))
    assert list(again.nodes(data=True)) == list(theirs.nodes(data=True))

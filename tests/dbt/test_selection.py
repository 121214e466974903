"""pipec's dbt selectors and task graph against what dbt itself reports (`dbt ls`)."""

from __future__ import annotations

import networkx as nx
import pytest

from pipec.dbt import manifest as mf
from pipec.dbt import selector as sel

from .support import BUILDABLE, MANIFEST, compiled, dbt_ls

pytestmark = pytest.mark.slow

SELECTIONS = [
    ("", ""),
    ("+orders", ""),
    ("staging", ""),
    ("tag:finance", "fct_revenue_daily"),
    ("path:models/marts", "tag:deprecated"),
    ("@stg_payments", ""),
    ("tag:marts,resource_type:model", ""),
    ("1+customers", ""),
    ("marts.finance", ""),
    ("source:shop.orders+", "fct_revenue_by_region legacy_sales"),
    ("resource_type:seed resource_type:snapshot", ""),
    ("config.materialized:view", ""),
    ("stg_orders+1 country_codes", ""),
    ("customers.sql payment_methods.csv", ""),
    ("+fct_revenue_by_region,tag:staging", ""),
    ("path:models/staging/stg_orders.sql marts.*", "marts.finance.*"),
]


@pytest.fixture(scope="module")
def listings(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return dbt_ls(SELECTIONS, tmp_path_factory.mktemp("ls"))


@pytest.mark.parametrize("index", range(len(SELECTIONS)), ids=[f"{s}|{e}" for s, e in SELECTIONS])
def test_selection_equals_dbt_ls(listings: list[dict], index: int) -> None:
    select, exclude = SELECTIONS[index]
    manifest = mf.load(MANIFEST)
    picked = sel.select(manifest, sel.parse(select)) if select else set(manifest.nodes)
    picked -= sel.select(manifest, sel.parse(exclude))
    ours = {u for u in picked if manifest.nodes[u].resource_type != "test"}
    theirs = {u for u, node in listings[index].items() if node["resource_type"] != "test"}
    assert ours == theirs
    assert {u for u in theirs if listings[index][u]["resource_type"] in BUILDABLE}, "a selection that lists no model"


def _expected_edges(graph: nx.DiGraph, kept: set[str]) -> set[tuple[str, str]]:
    """u -> v for kept nodes when a path from u to v runs only through nodes that are not kept."""
    edges = set()
    for u in kept:
        for v in kept - {u}:
            allowed = (set(graph) - kept) | {u, v}
            if nx.has_path(graph.subgraph(allowed), u, v):
                edges.add((u, v))
    return edges


@pytest.mark.parametrize("index", range(len(SELECTIONS)), ids=[f"{s}|{e}" for s, e in SELECTIONS])
def test_task_graph_equals_dbt_graph(listings: list[dict], index: int, tmp_path) -> None:
    select, exclude = SELECTIONS[index]
    listing = listings[index]
    everything = listings[0]
    graph = nx.DiGraph()
    for uid, node in everything.items():
        graph.add_node(uid)
        graph.add_edges_from((p, uid) for p in node["parents"] if p in everything)
    chosen = {u for u, n in listing.items() if n["resource_type"] in BUILDABLE}
    links = {"source.shop.shop.customers": "extract_customers", "source.shop.shop.orders": "extract_orders",
             "source.shop.shop.order_items": "extract_orders", "source.shop.shop.payments": "extract_payments"}
    name = {u: everything[u]["name"] for u in chosen} | links
    expected = {}
    for up, down in _expected_edges(graph, chosen | set(links)):
        if down in chosen:
            expected.setdefault(name[down], set()).add(name[up])
    dag = compiled(tmp_path, select=select, exclude=exclude, mode="build")
    tasks = {t.name: set(t.upstream) for t in dag.tasks if not t.name.startswith("extract_")}
    assert set(tasks) == {name[u] for u in chosen}
    assert tasks == {t: expected.get(t, set()) for t in tasks}

"""From selected dbt nodes to the tasks that run them, with their edges.

Edges follow ``depends_on`` between the selected nodes; a node that is not
selected passes its parents on (as dbt does when it runs a subset of the graph),
so ``a -> b -> c`` with ``b`` left out still runs ``c`` after ``a``. Linked
sources (``sources = { extract_orders = "shop.orders" }``) take part like nodes:
a model reading a linked source, directly or through unselected nodes, runs
after the bronze task that loads it.

Modes: ``build`` gives one task per node, ``dbt build --select NODE`` (the node
and its tests). ``run_then_test`` gives ``dbt run``/``seed``/``snapshot`` per node
and, for a node with tests, a task ``NODE_test`` running ``dbt test`` on exactly
those tests; nodes downstream wait for it. A test on several nodes (such as a
``relationships`` test) belongs to the test task of the parent that runs last.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipec.dbt.manifest import Manifest

RUN_COMMAND = {"model": "run", "seed": "seed", "snapshot": "snapshot"}


@dataclass(frozen=True)
class Planned:
    """One task: ``node`` is the model, seed or snapshot it runs (or tests).

    ``upstream`` are names of other planned tasks; ``sources`` the unique ids of
    linked sources it waits for; both sorted.
    """

    name: str
    node: str
    command: str
    select: str
    upstream: tuple[str, ...]
    sources: tuple[str, ...]
    is_test: bool = False


def nearest_kept(manifest: Manifest, kept: set[str], targets: set[str]) -> dict[str, set[str]]:
    """For each target, the kept nodes it depends on, looking through nodes that are not kept."""
    memo: dict[str, set[str]] = {}

    def through(uid: str) -> set[str]:
        return {uid} if uid in kept else memo[uid]

    for target in sorted(targets):
        stack = [target]
        while stack:
            uid = stack[-1]
            parents = [p for p in manifest.nodes[uid].parents if p in manifest.nodes]
            pending = [p for p in parents if p not in kept and p not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[uid] = set().union(*(through(p) for p in parents)) if parents else set()
    return {t: memo[t] for t in targets}


def select_value(manifest: Manifest, uid: str) -> str:
    """What ``--select`` names the node by: its name (``name.vN`` for a versioned model)."""
    node = manifest.nodes[uid]
    return node.name if node.version is None else f"{node.name}.v{node.version}"


def plan(manifest: Manifest, chosen: set[str], tests: set[str], linked: set[str], names: dict[str, str],
         mode: str) -> list[Planned]:
    """Tasks for the ``chosen`` nodes (``names`` gives each its task name), sorted by name."""
    ups = nearest_kept(manifest, chosen | linked, chosen)
    owners = _test_owners(manifest, chosen, tests) if mode == "run_then_test" else {}
    gate = {uid: names[uid] + "_test" if uid in owners else names[uid] for uid in chosen}
    out = []
    for uid in sorted(chosen):
        node = manifest.nodes[uid]
        command = "build" if mode == "build" else RUN_COMMAND[node.resource_type]
        out.append(Planned(names[uid], uid, command, select_value(manifest, uid),
                           tuple(sorted(gate[p] for p in ups[uid] if p in chosen)),
                           tuple(sorted(p for p in ups[uid] if p in linked))))
    for uid, owned in sorted(owners.items()):
        parents = {p for t in owned for p in manifest.nodes[t].parents if p in chosen}
        out.append(Planned(names[uid] + "_test", uid, "test",
                           " ".join(sorted(manifest.nodes[t].name for t in owned)),
                           tuple(sorted(names[p] for p in parents)), (), is_test=True))
    return sorted(out, key=lambda p: p.name)


def _test_owners(manifest: Manifest, chosen: set[str], tests: set[str]) -> dict[str, list[str]]:
    """Each test goes to the test task of its selected parent that comes last in topological order."""
    order = _topo_index(manifest, chosen)
    owners: dict[str, list[str]] = {}
    for test in sorted(tests):
        parents = [p for p in manifest.nodes[test].parents if p in chosen]
        if parents:
            owners.setdefault(max(parents, key=lambda p: (order[p], p)), []).append(test)
    return owners


def _topo_index(manifest: Manifest, chosen: set[str]) -> dict[str, int]:
    ups = nearest_kept(manifest, chosen, chosen)
    index: dict[str, int] = {}
    for uid in sorted(chosen):
        stack = [uid]
        while stack:
            top = stack[-1]
            pending = [p for p in sorted(ups[top]) if p not in index]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if top not in index:
                index[top] = len(index)
    return index

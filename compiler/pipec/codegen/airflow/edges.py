"""Task variables and dependencies: each task gets its upstream tasks right where it is created.

Every operator is bound to a variable, ``t_<task>``, and the statement after it
names its upstream tasks, by task id::

    t_stg_orders = KubernetesPodOperator(...)
    depends_on(t_stg_orders, ["extract_customers", "extract_orders"])

``depends_on``, defined in each DAG file that has edges (:data:`DEPENDS_ON`),
fills the two id sets that ``set_upstream`` fills, and nothing else.
``set_upstream`` first checks that both ends share one DAG by hashing the DAG,
which hashes every task id in it, once for each task the call touches: a
4,000-task dbt DAG spent a third of its parse there, on a check that pipec has
already made (both ends of every edge are tasks of this DAG). Tasks come in task
order (by layer, then topologically; E302 keeps a task's upstream layers before
its own), so every upstream exists when it is named.
"""

from __future__ import annotations

import hashlib

from pipec.codegen.errors import CodegenError
from pipec.codegen.pyexpr import Call, Code, List, Str

PUBLISH_VAR = "publish"
EDGE_FUNCTION = "depends_on"
# The function, as the DAG file defines it (before the DAG; black-stable). Both
# sets and ``node_id`` are what Airflow's own ``_set_relatives`` uses, in 3.0 to 3.3.
DEPENDS_ON = '''\
def depends_on(task, upstream_ids):
    """``task.set_upstream`` the tasks ``upstream_ids`` of this DAG, without its DAG hash.

    Airflow's ``set_upstream`` hashes the whole DAG (every task id) to check that
    both ends share one DAG; pipec has checked that when it compiled this file.
    """
    for upstream_id in upstream_ids:
        task.upstream_task_ids.add(upstream_id)
        task.dag.get_task(upstream_id).downstream_task_ids.add(task.node_id)'''
# Longer task names are shortened (with a hash) so that ``t_<name> = KubernetesPodOperator(``
# and ``depends_on(t_<name>, [`` stay within black's 88 columns inside a TaskGroup.
_LONGEST = 40
_KEPT = 32


def task_var(name: str) -> str:
    """The variable of task ``name``: ``t_<name>``, or a shortened unique form for long names.

    A shortened variable is 43 characters long and an unshortened one at most 42,
    so the two kinds never collide.
    """
    if not name.isidentifier() or not name.isascii():
        raise CodegenError(f"internal error: task name {name!r} cannot name a Python variable")
    if len(name) <= _LONGEST:
        return f"t_{name}"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"t_{name[:_KEPT]}_{digest}"


class Edges:
    """The ``depends_on`` call of each task, checked against the tasks created before it."""

    def __init__(self) -> None:
        self._created: set[str] = set()
        self.any = False  # whether a task has upstream tasks: the file then defines the function

    def created(self, name: str, upstream: list[str] | tuple[str, ...]) -> None:
        """Task ``name`` now exists, and gets its ``upstream`` tasks (which must exist already)."""
        missing = [u for u in upstream if u not in self._created]
        if missing:
            raise CodegenError(f"internal error: task {name} depends on {missing[0]}, which comes after it")
        self._created.add(name)
        self.any = self.any or bool(upstream)

    def after(self, var: str, name: str, upstream: list[str] | tuple[str, ...]) -> Call | None:
        """The call giving task ``name`` (bound to ``var``) its ``upstream`` tasks (None without any)."""
        self.created(name, upstream)
        if not upstream:
            return None
        return Call(EDGE_FUNCTION, (Code(var), List(tuple(Str(u) for u in upstream))))

"""Task variables and dependencies: each task gets its upstream tasks right where it is created.

Every operator is bound to a variable, ``t_<task>``, and the statement after it
names its upstream tasks::

    t_stg_orders = KubernetesPodOperator(...)
    depends_on(t_stg_orders, [t_extract_customers, t_extract_orders])

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
from pipec.codegen.pyexpr import Call, Code, List

PUBLISH_VAR = "publish"
EDGE_FUNCTION = "depends_on"
# The function, as the DAG file defines it (before the DAG; black-stable). Both
# sets and ``node_id`` are what Airflow's own ``_set_relatives`` uses, in 3.0 to 3.3.
DEPENDS_ON = '''\
def depends_on(task, upstream):
    """``task.set_upstream(upstream)``, for tasks of this DAG, without its DAG hash.

    Airflow's ``set_upstream`` hashes the whole DAG (every task id) to check that
    both ends share one DAG; pipec has checked that when it compiled this file.
    """
    for other in upstream:
        task.upstream_task_ids.add(other.node_id)
        other.downstream_task_ids.add(task.node_id)'''
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
        self.any = False  # whether a call was made: the file then defines the function

    def after(self, var: str, upstream: list[str] | tuple[str, ...]) -> Call | None:
        """The call giving ``var`` its ``upstream`` tasks (None without any); ``var`` now exists."""
        missing = [u for u in upstream if u not in self._created]
        if missing:
            raise CodegenError(f"internal error: {var} depends on {missing[0]}, which comes after it")
        self._created.add(var)
        if not upstream:
            return None
        self.any = True
        return Call(EDGE_FUNCTION, (Code(var), List(tuple(Code(u) for u in upstream))))

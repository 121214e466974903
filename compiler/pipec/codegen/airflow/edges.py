"""Task variables and dependencies: each task gets its upstream tasks right where it is created.

Every operator is bound to a variable, ``t_<task>``, and the statement after it
names its upstream tasks in one call::

    t_stg_orders = KubernetesPodOperator(...)
    t_stg_orders.set_upstream([t_extract_customers, t_extract_orders])

Airflow hashes the whole DAG (every task id) once for each task an edge call
touches, so one call per task with all its upstreams, made while the DAG holds
only the tasks before it, costs a fraction of one ``dag.set_dependency`` per
edge after all tasks (a 4,000-task dbt DAG spent a third of its parse there).
Tasks come in task order (by layer, then topologically; E302 keeps a task's
upstream layers before its own), so every upstream exists when it is named.
"""

from __future__ import annotations

import hashlib

from pipec.codegen.errors import CodegenError
from pipec.codegen.pyexpr import Call, Code, List

PUBLISH_VAR = "publish"
# Longer task names are shortened (with a hash) so that ``t_<name> = KubernetesPodOperator(``
# and ``t_<name>.set_upstream(`` stay within black's 88 columns inside a TaskGroup.
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
    """The ``set_upstream`` call of each task, checked against the tasks created before it."""

    def __init__(self) -> None:
        self._created: set[str] = set()

    def after(self, var: str, upstream: list[str] | tuple[str, ...]) -> Call | None:
        """The call giving ``var`` its ``upstream`` tasks (None without any); ``var`` now exists."""
        missing = [u for u in upstream if u not in self._created]
        if missing:
            raise CodegenError(f"internal error: {var} depends on {missing[0]}, which comes after it")
        self._created.add(var)
        if not upstream:
            return None
        return Call(f"{var}.set_upstream", (List(tuple(Code(u) for u in upstream)),))

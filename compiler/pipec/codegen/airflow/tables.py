"""Task tables: a run of alike tasks is written once, as a loop over a table of what differs.

A dbt project expands into thousands of tasks whose operator calls differ only
in a few strings: task id, pod name, dbt command and selector, doc. Written out,
each takes some 25 lines, and a 2,000-model DAG file grows to 4.5 MB, which
Python compiles on every first parse (and on every parse where the DAG folder
keeps no bytecode), and which Airflow stores and shows in its Code view.

So tasks of one layer that come one after the other, at least :data:`MIN_ROWS`
of them, whose calls are the same but for string constants, are written once,
as the body of a loop over a table with one row per task::

    for task_id, name, arguments_0, arguments_2, doc_md, upstream in (
        ("stg_orders", "shop-stg-orders-{{ ... }}", "run", "stg_orders", "...", ("raw_orders",)),
        ...
    ):
        task = KubernetesPodOperator(**TASK_ARGS, task_id=task_id, name=name, ...)
        depends_on(task, upstream)

The body is the calls' common skeleton, each string that differs between the
rows replaced by its column; a row therefore builds the very call the task
would have had written out (tests/codegen/test_tables.py compares the DAGs
Airflow builds both ways). Strings reach the table only as ``Str`` constants,
like everywhere else in generated code. Rows keep the task order, and each task
gets its upstream tasks right after it is created, as written-out tasks do.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipec.codegen.airflow.edges import EDGE_FUNCTION, Edges
from pipec.codegen.pyexpr import (
    INDENT,
    LINE_LENGTH,
    Call,
    Code,
    Dict,
    Expr,
    Float,
    Int,
    List,
    Str,
    Tuple,
    render,
)
from pipec.ir.model import Task

# Fewer alike tasks stay written out: a short loop saves little and reads worse.
MIN_ROWS = 8
TASK = "task"  # the loop's operator variable
UPSTREAM = "upstream"  # the column of upstream task ids
_NOT_NAME = re.compile(r"[^0-9A-Za-z_]+")


@dataclass(frozen=True)
class Table:
    """Alike tasks of one layer: the loop's columns, one row per task, and the call's skeleton."""

    tasks: tuple[Task, ...]
    columns: tuple[str, ...]  # loop variables; UPSTREAM last when any task has upstream tasks
    rows: tuple[Tuple, ...]
    body: Expr


def plan(tasks: list[tuple[Task, Expr]], reserved: frozenset[str]) -> list[tuple[Task, Expr] | Table]:
    """``tasks`` (in task order) with each run of at least MIN_ROWS alike calls as one Table.

    ``reserved``: the module's own names, which a loop variable must not rebind.
    """
    if len(tasks) < MIN_ROWS:  # most layers of hand-written pipelines: no run can be long enough
        return list(tasks)
    shapes = [_skeleton(call) for _, call in tasks]
    planned: list[tuple[Task, Expr] | Table] = []
    start = 0
    while start < len(tasks):
        end = start + 1
        while end < len(tasks) and shapes[end][0] == shapes[start][0]:
            end += 1
        strings = [strings for _, strings in shapes[start:end]]
        table = _table(tasks[start:end], strings, reserved) if end - start >= MIN_ROWS else None
        planned.extend([table] if table else tasks[start:end])
        start = end
    return planned


def alike_once(calls: list[Expr]) -> list[Expr]:
    """The first of ``calls`` of each skeleton: calls alike but for their strings call the
    same functions and name the same constants (what the file's imports are derived from)."""
    first: dict[str, Expr] = {}
    for call in calls:
        first.setdefault(_skeleton(call)[0], call)
    return list(first.values())


def render_table(table: Table, indent: int, links: Edges) -> str:
    """The loop, as black prints it (first line without its indentation)."""
    for task in table.tasks:
        links.created(task.name, task.upstream)
    pad = INDENT * (indent + 1)
    lines = render(Tuple(table.rows), indent, f"for {', '.join(table.columns)} in ", ":", force=True)
    lines += render(table.body, indent + 1, f"{TASK} = ", force=True)
    if table.columns[-1] == UPSTREAM:
        lines.append(f"{pad}{EDGE_FUNCTION}({TASK}, {UPSTREAM})")
    return "\n".join(lines).lstrip(" ")


def _skeleton(expr: Expr) -> tuple[str, tuple[str, ...]]:
    """``expr``'s skeleton (its code with each string constant as a hole) and its strings.

    Kept on each node that holds others, as ``flat`` is: operator calls share many
    subexpressions (``literal("--select")``, the shared Kubernetes objects), so most are
    walked once per file.
    """
    found = expr.__dict__.get("_skeleton")
    if found is not None:
        return found
    kind = type(expr)
    if kind is Str:
        return _HOLE, (expr.value,)
    if kind is Code or kind is Int or kind is Float:  # part of the skeleton as printed
        found = expr.__dict__["_skeleton"] = (f"{kind.__name__}:{expr.flat()}", ())
        return found
    opening, closing = expr.brackets()
    parts = [opening]
    strings: list[str] = []
    for prefix, element in expr.elements():  # arguments, items, dict values: in _paths' order
        if type(element) is Str:  # most elements: no call
            parts.append(prefix + _HOLE + ",")
            strings.append(element.value)
        else:
            key, inner = _skeleton(element)
            parts.append(prefix + key + ",")
            strings += inner
    parts.append(closing)
    found = expr.__dict__["_skeleton"] = ("".join(parts), tuple(strings))
    return found


_HOLE = "\0"  # py_str escapes a NUL in a string, and code holds none


def _paths(expr: Expr, path: str = "") -> Iterator[str]:
    """Where each string constant of ``expr`` sits (in ``_skeleton``'s order), as a name:
    ``arguments_2``, ``labels_pipec_io_task``. Asked of one call per table."""
    kind = type(expr)
    if kind is Str:
        yield path
    elif kind is Call:
        for i, arg in enumerate(expr.args):  # ``literal(x)`` is named as ``x``
            yield from _paths(arg, path if expr.func == "literal" else _join(path, str(i)))
        for key, value in expr.kwargs:
            yield from _paths(value, _join(path, key))
    elif kind is List or kind is Tuple:
        for i, item in enumerate(expr.items):
            yield from _paths(item, _join(path, str(i)))
    elif kind is Dict:
        for key, value in expr.items:
            yield from _paths(value, _join(path, key))


def _join(path: str, part: str) -> str:
    return f"{path}_{part}" if path else part


def _table(
    tasks: list[tuple[Task, Expr]], strings: list[tuple[str, ...]], reserved: frozenset[str]
) -> Table | None:
    """The table of alike ``tasks``, or None when nothing differs between them (no column)
    or its loop header would not fit in a line."""
    columns: dict[tuple[str, ...], str] = {}  # a string's values, row by row -> its column
    taken = set(reserved) | {TASK, UPSTREAM}
    holes: list[str | None] = []  # per string: its column, or None when every row has the same
    for path, values in zip(_paths(tasks[0][1]), zip(*strings)):
        if len(set(values)) == 1:
            holes.append(None)
            continue
        name = columns.get(values)
        if name is None:
            name = columns[values] = _fresh(path, taken)
        holes.append(name)
    names = list(columns.values())
    if any(task.upstream for task, _ in tasks):
        names.append(UPSTREAM)
    if not names or len(INDENT * 2 + "for  in (") + len(", ".join(names)) > LINE_LENGTH:
        return None
    rows = tuple(
        Tuple(
            tuple(Str(v) for v in _row(row, holes))
            + ((Tuple(tuple(Str(u) for u in task.upstream)),) if names[-1] == UPSTREAM else ())
        )
        for (task, _), row in zip(tasks, strings)
    )
    body = _fill(tasks[0][1], iter(holes))
    return Table(tuple(t for t, _ in tasks), tuple(names), rows, body)


def _row(strings: tuple[str, ...], holes: list[str | None]) -> list[str]:
    """The strings of one row, one per column, in the columns' order (first hole of each)."""
    seen: set[str] = set()
    row = []
    for value, column in zip(strings, holes):
        if column is not None and column not in seen:
            seen.add(column)
            row.append(value)
    return row


def _fresh(path: str, taken: set[str]) -> str:
    """A loop variable named after ``path``, lower case (so never one of the classes the file
    imports), not ``t_...`` (the task variables), and not in ``taken``."""
    base = _NOT_NAME.sub("_", path).strip("_").lower() or "value"
    if base[0].isdigit() or keyword.iskeyword(base) or base.startswith("t_"):
        base = "v_" + base
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def _fill(expr: Expr, holes: Iterator[str | None]) -> Expr:
    """``expr`` with each string constant that has a column replaced by the column's variable
    (strings in ``_skeleton``'s order)."""
    kind = type(expr)
    if kind is Str:
        column = next(holes)
        return expr if column is None else Code(column)
    if kind is Call:
        args = tuple(_fill(a, holes) for a in expr.args)
        return Call(expr.func, args, tuple((k, _fill(v, holes)) for k, v in expr.kwargs))
    if kind is List or kind is Tuple:
        return kind(tuple(_fill(item, holes) for item in expr.items))
    if kind is Dict:
        return Dict(tuple((k, _fill(v, holes)) for k, v in expr.items))
    return expr

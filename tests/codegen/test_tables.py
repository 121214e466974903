"""Task tables (codegen/airflow/tables.py): runs of alike tasks written as one loop over a
table, and Airflow building the very same DAG from it as from the tasks written out."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pipec.codegen import generate
from pipec.codegen.airflow import tables
from pipec.codegen.pyexpr import Call, Code, Dict, Expr, Int, List, Str, Tuple
from pipec.ir.model import Task

ROOT = Path(__file__).resolve().parents[2]


def _task(name: str, upstream: tuple[str, ...] = ()) -> Task:
    return Task.model_construct(name=name, upstream=upstream)


def _call(name: str, command: str = "run", retries: int = 0) -> Call:
    """A dbt-like operator call: task id, pod name and label repeat the name."""
    return Call(
        "KubernetesPodOperator",
        (Code("**TASK_ARGS"),),
        (
            ("task_id", Str(name)),
            ("name", Str(f"shop-{name}")),
            ("arguments", List((Call("literal", (Str(command),)), Call("literal", (Str("--select"),)),
                                Call("literal", (Str(name),))))),
            ("labels", Dict((("pipec.io/task", Str(name)), ("pipec.io/layer", Str("silver"))))),
            ("retries", Int(retries)),
        ),
    )


def _substitute(expr: Expr, values: dict[str, str]) -> Expr:
    """``expr`` with each column variable replaced by its value (the loop's work, done here)."""
    if isinstance(expr, Code) and expr.code in values:
        return Str(values[expr.code])
    if isinstance(expr, Call):
        return Call(expr.func, tuple(_substitute(a, values) for a in expr.args),
                    tuple((k, _substitute(v, values)) for k, v in expr.kwargs))
    if isinstance(expr, (List, Tuple)):
        return type(expr)(tuple(_substitute(i, values) for i in expr.items))
    if isinstance(expr, Dict):
        return Dict(tuple((k, _substitute(v, values)) for k, v in expr.items))
    return expr


def test_alike_calls_become_one_table_whose_rows_rebuild_each_call() -> None:
    names = [f"m{i:02d}" for i in range(10)]
    tasks = [(_task(n, (names[i - 1],) if i else ()), _call(n, "test" if i % 2 else "run"))
             for i, n in enumerate(names)]
    (table,) = tables.plan(tasks, frozenset())
    assert isinstance(table, tables.Table)
    # the task id, the label and the selector hold the same strings: one column for the three
    assert table.columns == ("task_id", "name", "arguments_0", tables.UPSTREAM)
    assert "--select" in table.body.flat() and "silver" in table.body.flat()  # alike in every row
    for (task, call), row in zip(tasks, table.rows):
        *strings, upstream = row.items
        values = dict(zip(table.columns, (s.value for s in strings)))
        assert _substitute(table.body, values).flat() == call.flat()
        assert tuple(u.value for u in upstream.items) == task.upstream


def test_short_runs_and_other_skeletons_stay_written_out() -> None:
    short = [(_task(f"a{i}"), _call(f"a{i}")) for i in range(tables.MIN_ROWS - 1)]
    assert tables.plan(short, frozenset()) == short
    # an integer that differs is code, not a string: those calls are not alike
    mixed = [(_task(f"b{i}"), _call(f"b{i}", retries=i % 2)) for i in range(2 * tables.MIN_ROWS)]
    assert tables.plan(mixed, frozenset()) == mixed
    run = [(_task(f"c{i}"), _call(f"c{i}")) for i in range(tables.MIN_ROWS)]
    others = [(_task(f"e{i}"), _call(f"e{i}", retries=1)) for i in range(4)]
    planned = tables.plan(others[:2] + run + others[2:], frozenset())
    assert planned[:2] == others[:2] and planned[3:] == others[2:]
    assert isinstance(planned[2], tables.Table) and len(planned[2].rows) == tables.MIN_ROWS
    assert tables.UPSTREAM not in planned[2].columns  # no task has upstream tasks
    # a loop header longer than a line: written out (black would wrap the loop's targets)
    wide = [(_task(f"w{i}"), Call("Op", kwargs=tuple((f"a_long_argument_name_{k}", Str(f"w{i}-{k}"))
                                                     for k in range(5)))) for i in range(tables.MIN_ROWS)]
    assert tables.plan(wide, frozenset()) == wide


def test_columns_never_rebind_module_names() -> None:
    tasks = [(_task(f"d{i}"), _call(f"d{i}")) for i in range(tables.MIN_ROWS)]
    (table,) = tables.plan(tasks, frozenset({"task_id", "name", "name_2"}))
    assert table.columns == ("task_id_2", "name_3")
    assert tables.TASK not in table.columns


# --- Airflow builds the same DAGs from tables as from written-out tasks ---------------------


def _synthetic(tmp: Path) -> Path:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "dbt" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    return synth.write(tmp / "synthetic", 120) / "main.pipe"


def _shop_dbt(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests" / "dbt"))
    from support import EXAMPLE

    return EXAMPLE / "main.pipe"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("project", "env"), [("shop_dbt", "local"), ("shop_dbt", "prod"), ("synthetic", "prod")]
)
def test_tables_build_the_dags_of_the_written_out_tasks(
    project: str, env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipec.driver import analyze

    from .runtime import DagSerialization, dag_bag, write_tree

    for slot in ("SOURCE", "WAREHOUSE"):  # read at parse time by no one, at run time by the tasks
        monkeypatch.setenv(f"AIRFLOW_CONN_SHOPCO__{slot}", '{"conn_type": "generic", "password": "pw"}')
    main = (_shop_dbt if project == "shop_dbt" else _synthetic)(tmp_path)
    analysis = analyze([main], main.parent, env)
    assert analysis.project is not None, [d.message for d in analysis.errors]
    with_tables = generate(analysis.project)
    monkeypatch.setattr(tables, "MIN_ROWS", 10**9)
    written_out = generate(analysis.project)
    dag_files = sorted(p for p in with_tables if p.endswith(".py"))
    assert any(f" in (\n".encode() in with_tables[p] for p in dag_files)  # tables were made
    assert not any(f"{tables.TASK} = ".encode() in written_out[p] for p in dag_files)
    assert sum(map(len, with_tables.values())) < sum(map(len, written_out.values()))
    bags = [dag_bag(write_tree(files, tmp_path / name)) for name, files in
            (("tables", with_tables), ("written", written_out))]
    assert bags[0].import_errors == {} and bags[1].import_errors == {}
    assert sorted(bags[0].dags) == sorted(bags[1].dags)
    for dag_id, dag in bags[0].dags.items():
        other = bags[1].dags[dag_id]
        assert [t.task_id for t in dag.tasks] == [t.task_id for t in other.tasks]
        for task in dag.tasks:
            twin = other.get_task(task.task_id)
            assert (task.upstream_task_ids, task.downstream_task_ids) == (
                twin.upstream_task_ids, twin.downstream_task_ids)
        ours, theirs = (DagSerialization.to_dict(d)["dag"] for d in (dag, other))
        for data in (ours, theirs):
            data.pop("fileloc", None)
            data.pop("relative_fileloc", None)
        assert ours == theirs


def test_hostile_strings_stay_constants_in_rows() -> None:
    """User text in a row is a string constant: quotes, Jinja, newlines and code-like text
    read back as the same strings, and the loop is valid, black-stable Python."""
    import ast

    import black

    from pipec.codegen.airflow.edges import Edges

    hostile = ['x"); import os; os.system("id") #', "{{ var.value.secret }}", "a\nb\r\\",
               "'''\"\"\"", "é\u2028"]
    names = [f"h{i}" for i in range(tables.MIN_ROWS)]
    tasks = [(_task(n), _call(n, command=hostile[i % len(hostile)])) for i, n in enumerate(names)]
    (table,) = tables.plan(tasks, frozenset())
    code = "with x:\n    with y:\n        " + tables.render_table(table, 2, Edges()) + "\n"
    assert black.format_str(code, mode=black.Mode()) == code
    loop = ast.parse(code).body[0].body[0].body[0]
    assert isinstance(loop, ast.For)
    rows = ast.literal_eval(loop.iter)
    commands = [row[table.columns.index("arguments_0")] for row in rows]
    assert commands == [hostile[i % len(hostile)] for i in range(len(names))]
    assert all(isinstance(node, (ast.Constant, ast.Tuple, ast.Load)) for node in ast.walk(loop.iter))

"""The same DAGs three ways, for Airflow's DagBag: pipec's files, dag-factory YAML, a minimal file.

All three are derived from pipec's generated DAG files by reading them with
``ast`` (no Airflow import): every operator call (those of task tables row by
row), its keyword arguments and the ``depends_on`` edges. So they describe the same project:

* **pipec**: the generated files as they are.
* **dag-factory**: one YAML file per DAG for dag-factory 1.x, with every operator
  argument of pipec's file (Kubernetes objects and ``literal(...)`` through
  dag-factory's ``__type__`` syntax), and the one loader file dag-factory needs.
* **minimal**: one hand-written-style Python file per DAG: each pod operator with
  only its plain arguments (task_id, name, namespace, image, cmds, arguments),
  and ``a >> b`` edges. The floor of what any generator could emit.

``probe_dagbag.py`` checks that the three parse into identical graphs.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# pipec's shared Kubernetes client configuration: a YAML file has no module constant
# to share, so dag-factory's objects each build their own (as written by hand).
_DROPPED = frozenset({"local_vars_configuration"})
MINIMAL_ARGS = ("task_id", "name", "namespace", "image", "cmds", "arguments")
EDGE_FUNCTION = "depends_on"  # pipec.codegen.airflow.edges.EDGE_FUNCTION, defined in each DAG file


@dataclass
class DagSource:
    """One generated DAG file, read back: the DAG call, default_args, operators and edges."""

    dag_kwargs: dict[str, Any]
    default_args: dict[str, Any]
    tasks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (operator path, kwargs)
    edges: list[tuple[str, str]] = field(default_factory=list)


class _Reader:
    """Turns expressions of one module into data, calls into dag-factory ``__type__`` dicts."""

    def __init__(self, module: ast.Module) -> None:
        self.names: dict[str, str] = {}
        # module constants (pipec's shared Kubernetes objects), inlined where used
        self.constants: dict[str, ast.expr] = {}
        self.tasks: dict[str, str] = {}  # task variable -> task_id
        self.row: dict[str, Any] = {}  # a task table's loop variables -> this row's values
        for node in module.body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                self.constants[node.targets[0].id] = node.value
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.names[alias.asname or alias.name] = alias.name

    def kwargs(self, call: ast.Call) -> dict[str, Any]:
        """The keyword arguments of ``call``, a ``**NAME`` of a module ``dict(...)`` expanded."""
        out: dict[str, Any] = {}
        for k in call.keywords:
            if k.arg is None:
                out.update(self.kwargs(self.constants[k.value.id]))
            else:
                out[k.arg] = self.data(k.value)
        return out

    def dotted(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return f"{self.dotted(node.value)}.{node.attr}"
        raise ValueError(f"unsupported callee {ast.dump(node)}")

    def data(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List):
            return [self.data(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {self.data(k): self.data(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Call):
            typed: dict[str, Any] = {"__type__": self.dotted(node.func)}
            if node.args:
                typed["__args__"] = [self.data(a) for a in node.args]
            typed.update({k.arg: self.data(k.value) for k in node.keywords if k.arg not in _DROPPED})
            return typed
        if isinstance(node, ast.Name) and node.id in self.row:
            return self.row[node.id]
        if isinstance(node, ast.Name) and node.id == "default_args":
            return "default_args"
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.data(self.constants[node.id])
        raise ValueError(f"unsupported expression {ast.unparse(node)}")


def read_dag(path: Path) -> DagSource:
    """The DAG of one pipec file (single ``with DAG(...)`` block, as pipec writes)."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    reader = _Reader(module)
    default_args: dict[str, Any] = {}
    source: DagSource | None = None
    for node in module.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "default_args":
            default_args = reader.data(node.value)
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            kwargs = {k.arg: reader.data(k.value) for k in call.keywords if k.arg != "default_args"}
            source = DagSource(kwargs, default_args)
            _read_body(node.body, reader, source)
    if source is None:
        raise ValueError(f"{path}: no `with DAG(...)` block")
    return source


def _read_body(body: list[ast.stmt], reader: _Reader, source: DagSource) -> None:
    """Operators (``t_x = Operator(...)``), their edges (``depends_on(t_x, ["a", ...])``) and
    task tables (``for task_id, ..., upstream in ((...), ...):`` over the same two statements)."""
    for stmt in body:
        if isinstance(stmt, ast.With):  # a TaskGroup
            _read_body(stmt.body, reader, source)
        elif isinstance(stmt, ast.For):  # a task table: the body once per row
            columns = [name.id for name in stmt.target.elts]
            for row in ast.literal_eval(stmt.iter):
                reader.row = dict(zip(columns, row))
                _read_body(stmt.body, reader, source)
            reader.row = {}
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            kwargs = reader.kwargs(call)
            source.tasks.append((reader.dotted(call.func), kwargs))
            reader.tasks[stmt.targets[0].id] = kwargs["task_id"]
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if not (isinstance(call.func, ast.Name) and call.func.id == EDGE_FUNCTION):
                raise ValueError(f"unexpected statement {ast.unparse(stmt)}")
            down = reader.tasks[call.args[0].id]
            source.edges += [(up, down) for up in reader.data(call.args[1])]
        else:
            raise ValueError(f"unexpected statement {ast.unparse(stmt)}")


def dagfactory_config(source: DagSource) -> dict[str, Any]:
    """The dag-factory 1.x YAML document of one DAG."""
    dag_id = source.dag_kwargs["dag_id"]
    body: dict[str, Any] = {k: v for k, v in source.dag_kwargs.items() if k != "dag_id"}
    body["default_args"] = source.default_args
    upstream: dict[str, list[str]] = {}
    for up, down in source.edges:
        upstream.setdefault(down, []).append(up)
    tasks = []
    for operator, kwargs in source.tasks:
        task = {"task_id": kwargs["task_id"], "operator": operator}
        task.update({k: v for k, v in kwargs.items() if k != "task_id"})
        if kwargs["task_id"] in upstream:
            task["dependencies"] = upstream[kwargs["task_id"]]
        tasks.append(task)
    body["tasks"] = tasks
    return {dag_id: body}


DAGFACTORY_LOADER = '''\
"""Loads every dag-factory YAML file of this folder (an airflow dag file for the DagBag)."""
from pathlib import Path

from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), dags_folder=str(Path(__file__).parent))
'''


def _plain(value: Any) -> Any:
    """A value with ``literal(...)`` unwrapped: what a person would type."""
    if isinstance(value, dict) and str(value.get("__type__", "")).endswith(".literal"):
        return value["__args__"][0]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _py(value: Any) -> str:
    """Python source of a value from :meth:`_Reader.data` (calls back into calls)."""
    if isinstance(value, dict) and "__type__" in value:
        kind = value["__type__"]
        name = kind if kind.startswith("pendulum.") else kind.rsplit(".", 1)[-1]
        args = [_py(a) for a in value.get("__args__", [])]
        args += [f"{k}={_py(v)}" for k, v in value.items() if k not in ("__type__", "__args__")]
        return f"{name}({', '.join(args)})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _types(value: Any) -> set[str]:
    """Every ``__type__`` in a value (the classes its source must import)."""
    if isinstance(value, dict):
        found = {value["__type__"]} if "__type__" in value else set()
        return found.union(*(_types(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_types(v) for v in value))
    return set()


def minimal_file(source: DagSource) -> str:
    """A short hand-written-style DAG file with the same dag_id, tasks and edges."""
    schedule = source.dag_kwargs.get("schedule")
    extra = sorted(t for t in _types(schedule) if not t.startswith("pendulum."))
    lines = [
        "import pendulum",
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator",
        "from airflow.sdk import DAG",
        *(f"from {t.rsplit('.', 1)[0]} import {t.rsplit('.', 1)[1]}" for t in extra),
        "",
        f"with DAG(dag_id={source.dag_kwargs['dag_id']!r}, schedule={_py(schedule)},",
        f"         start_date={_py(source.dag_kwargs['start_date'])}, catchup=False) as dag:",
    ]
    if any(op.rsplit(".", 1)[-1] != "KubernetesPodOperator" for op, _ in source.tasks):
        raise ValueError("the minimal variant is written for KubernetesPodOperator tasks")
    for _, kwargs in source.tasks:
        args = ", ".join(f"{k}={_py(_plain(kwargs[k]))}" for k in MINIMAL_ARGS if k in kwargs)
        lines.append(f"    {kwargs['task_id']} = KubernetesPodOperator({args})")
    for up, down in source.edges:
        lines.append(f"    {up} >> {down}")
    return "\n".join(lines) + "\n"


def write_variants(build_env: Path, out: Path) -> dict[str, Path]:
    """The three folders (pipec, dagfactory, minimal) for the DAGs under ``build_env``."""
    folders = {name: out / name for name in ("pipec", "dagfactory", "minimal")}
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for path in sorted(build_env.glob("*/dags/*.py")):
        shutil.copyfile(path, folders["pipec"] / path.name)
        source = read_dag(path)
        text = yaml.safe_dump(dagfactory_config(source), sort_keys=False, width=2**31 - 1)
        (folders["dagfactory"] / f"{path.stem}.yaml").write_text(text, encoding="utf-8")
        (folders["minimal"] / path.name).write_text(minimal_file(source), encoding="utf-8")
    (folders["dagfactory"] / "load_dags.py").write_text(DAGFACTORY_LOADER, encoding="utf-8")
    return folders

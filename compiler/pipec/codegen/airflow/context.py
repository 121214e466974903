"""Everything the DAG template prints, computed here as ready-formatted code.

The template (``templates/dag.py.j2``) only places these pieces; every value
and every formatting decision is made in this module, through
``pipec.codegen.pyexpr`` so the result is already in black's style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pipec.codegen import names
from pipec.codegen.airflow import edges, imports, operators, shared, tables
from pipec.codegen.airflow.operators import Kwargs, literal, timedelta
from pipec.codegen.pyexpr import (
    Call,
    Code,
    Dict,
    Expr,
    Int,
    List,
    Str,
    called,
    render,
    render_block,
)
from pipec.codegen.errors import CodegenError
from pipec.codegen.k8s import pod
from pipec.ir.model import LAYERS, Dag, Project, Schedule, Task, Tenant

# Module-level names of a DAG file besides its imports and constants, which a task
# table's loop variables must not rebind.
_NAMES = frozenset(
    {"dag", "default_args", edges.EDGE_FUNCTION, edges.PUBLISH_VAR, shared.TASK_ARGS, operators.K8S_CONFIG}
)
# Indentation levels of the template's blocks.
_IN_DAG = 1
_IN_GROUP = 2


@dataclass(frozen=True)
class GroupView:
    """One layer: the ``TaskGroup(...)`` call and its tasks, each with its upstream tasks."""

    header: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class DagView:
    """The DAG file: import lines ("" = blank line), code blocks."""

    imports: tuple[str, ...]
    secrets_class: bool
    k8s_config: str | None
    constants: tuple[str, ...]
    task_args: str | None
    default_args: str
    dag: str
    depends_on: str | None  # the definition of edges.EDGE_FUNCTION, when the DAG has edges
    groups: tuple[GroupView, ...]
    publish: str | None


def build(project: Project, tenant: Tenant, dag: Dag, pods: Mapping[str, pod.PodPlan]) -> DagView:
    """The view of ``dag`` (of ``tenant``) for the template; ``pods``: each task's pod plan
    on Kubernetes (the plans the pod manifests are written from), else empty."""
    default_args = Dict(_default_args(tenant, dag))
    dag_call = Call("DAG", kwargs=_dag_kwargs(project, dag))
    groups = [g for g in (_group(project, dag, layer, pods) for layer in LAYERS) if g[1]]
    constants = shared.Constants([t for _, tasks in groups for _, t in tasks])
    groups = [(h, [(task, constants.task(t)) for task, t in tasks]) for h, tasks in groups]
    task_args, calls = shared.task_args([t for _, tasks in groups for _, t in tasks])
    calls.reverse()
    groups = [(h, [(task, calls.pop()) for task, _ in tasks]) for h, tasks in groups]
    publish = _publish(dag)
    exprs = [default_args, dag_call] + ([publish] if publish else [])
    exprs += [e for _, e in constants.assignments] + ([task_args] if task_args else [])
    exprs += [header for header, _ in groups]
    exprs += tables.alike_once([t for _, tasks in groups for _, t in tasks])
    calls = called(*exprs)
    k8s_config = _k8s_config() if any(c.startswith("k8s.") for c in calls) else None
    if k8s_config is not None:
        calls |= called(k8s_config)
    links = edges.Edges()
    reserved = frozenset({*(c.split(".")[0] for c in calls), *(n for n, _ in constants.assignments)}) | _NAMES
    group_views = tuple(_group_view(header, tasks, links, reserved) for header, tasks in groups)
    publish_view = (
        _statement(edges.PUBLISH_VAR, names.PUBLISH_TASK_ID, publish, _publish_upstream(dag), links, _IN_DAG)
        if publish
        else None
    )
    return DagView(
        imports=tuple(imports.import_lines(calls)),
        secrets_class=operators.SECRETS_CLASS in calls,
        k8s_config=f"{operators.K8S_CONFIG} = {k8s_config.flat()}" if k8s_config else None,
        constants=tuple(render_block(e, 0, f"{n} = ") for n, e in constants.assignments),
        task_args=render_block(task_args, 0, f"{shared.TASK_ARGS} = ", force=True)
        if task_args
        else None,
        default_args=render_block(default_args, 0, force=True),
        dag=render_block(dag_call, 0, force=True),
        depends_on=edges.DEPENDS_ON if links.any else None,
        groups=group_views,
        publish=publish_view,
    )


def _k8s_config() -> Expr:
    """The one client configuration of the file's Kubernetes objects (``operators.k8s``)."""
    return Call(operators.K8S_CONFIG_CALL)


def _group_view(
    header: Expr, tasks: list[tuple[Task, Expr]], links: edges.Edges, reserved: frozenset[str]
) -> GroupView:
    statements = []
    for item in tables.plan(tasks, reserved):
        if isinstance(item, tables.Table):
            statements.append(tables.render_table(item, _IN_GROUP, links))
        else:
            task, call = item
            var = edges.task_var(task.name)
            statements.append(_statement(var, task.name, call, task.upstream, links, _IN_GROUP))
    return GroupView(header=render_block(header, _IN_DAG, "with ", ":", force=True), tasks=tuple(statements))


def _statement(
    var: str, name: str, call: Expr, upstream: tuple[str, ...] | list[str], links: edges.Edges, indent: int
) -> str:
    """``var = call(...)``, then the line giving task ``name`` its upstream tasks (if any)."""
    text = render_block(call, indent, f"{var} = ", force=True)
    edge = links.after(var, name, upstream)
    return text if edge is None else text + "\n" + "\n".join(render(edge, indent))


def _default_args(tenant: Tenant, dag: Dag) -> tuple[tuple[str, Expr], ...]:
    args: list[tuple[str, Expr]] = [
        ("owner", Str(dag.owner)),
        ("pool", Str(tenant.pool_name)),
        ("retries", Int(dag.retries)),
        ("retry_delay", timedelta(dag.retry_delay_seconds)),
    ]
    if dag.timeout_seconds is not None:
        args.append(("execution_timeout", timedelta(dag.timeout_seconds)))
    if dag.on_failure_emails:
        to = List(tuple(literal(e) for e in dag.on_failure_emails))
        args.append(("on_failure_callback", Call("SmtpNotifier", kwargs=(("to", to),))))
    return tuple(args)


def _dag_kwargs(project: Project, dag: Dag) -> Kwargs:
    tags = sorted({dag.tenant, dag.pipeline, *dag.tags})
    kwargs: list[tuple[str, Expr]] = [
        ("dag_id", Str(dag.dag_id)),
        ("schedule", schedule(dag.schedule, project.platform.timezone)),
        ("start_date", _start_date(project)),
        ("catchup", Code(str(dag.catchup))),
        ("max_active_runs", Int(dag.max_active_runs)),
        ("default_args", Code("default_args")),
        ("tags", List(tuple(Str(t) for t in tags))),
    ]
    if dag.paused is not None:
        kwargs.append(("is_paused_upon_creation", Code(str(dag.paused))))
    if dag.doc:
        kwargs.append(("doc_md", operators.doc_md(dag.doc)))
    return tuple(kwargs)


def schedule(s: Schedule, timezone: str) -> Expr:
    """The data-interval timetable of a cron or preset, ``None`` for manual, or the upstream Asset.

    Airflow 3 turns a bare cron string into a trigger timetable whose runs have
    zero-length data intervals; ``CronDataIntervalTimetable`` gives each run the
    window from the previous tick to its own, in the platform timezone, so
    consecutive windows meet exactly (also across DST). ``@once`` stays a string.
    """
    if s.kind == "manual":
        return Code("None")
    if s.kind == "after":
        assert s.asset_uri, "after-schedule without asset_uri"
        return List((Call("Asset", (Str(s.asset_uri),)),))
    assert s.value, f"{s.kind} schedule without value"
    if s.value == "@once":
        return Str(s.value)
    return Call("CronDataIntervalTimetable", (Str(s.value),), (("timezone", Str(timezone)),))


def _start_date(project: Project) -> Expr:
    start = date.fromisoformat(project.platform.start)
    ymd = (Int(start.year), Int(start.month), Int(start.day))
    return Call("pendulum.datetime", ymd, (("tz", Str(project.platform.timezone)),))


def _group(
    project: Project, dag: Dag, layer: str, pods: Mapping[str, pod.PodPlan]
) -> tuple[Expr, list[tuple[Task, Expr]]]:
    header = Call(
        "TaskGroup",
        kwargs=(
            ("group_id", Str(names.layer_group_id(layer))),
            ("prefix_group_id", Code("False")),
            ("group_display_name", Str(layer)),
        ),
    )
    operator = _OPERATORS.get(project.environment.operator)
    if operator is None:
        raise CodegenError(f"internal error: unknown operator {project.environment.operator!r}")
    return header, [(t, operator(project, dag, t, pods)) for t in dag.tasks if t.layer == layer]


def _kubernetes_task(project: Project, dag: Dag, task: Task, pods: Mapping[str, pod.PodPlan]) -> Expr:
    kwargs = operators.kubernetes(project.environment, dag, task, pods[task.name])
    return Call("KubernetesPodOperator", kwargs=kwargs)


def _docker_task(project: Project, dag: Dag, task: Task, pods: Mapping[str, pod.PodPlan]) -> Expr:
    return Call("DockerOperator", kwargs=operators.docker(project.environment, dag, task))


# Environment operator -> the call building one task.
_OPERATORS = {"kubernetes": _kubernetes_task, "docker": _docker_task}


def _publish(dag: Dag) -> Expr | None:
    """The task emitting ``dag.publishes`` once per successful run, or None."""
    if not dag.publishes:
        return None
    outlets = List((Call("Asset", (Str(dag.publishes),)),))
    return Call(
        "EmptyOperator", kwargs=(("task_id", Str(names.PUBLISH_TASK_ID)), ("outlets", outlets))
    )


def _publish_upstream(dag: Dag) -> list[str]:
    """Every sink (task without downstream tasks), in task order: the publish task's upstream."""
    has_downstream = {up for t in dag.tasks for up in t.upstream}
    return [t.name for t in dag.tasks if t.name not in has_downstream]

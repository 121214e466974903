"""Kubernetes objects a DAG file shares between tasks never let one task's rendering reach another's pod.

A DAG file builds its inert Kubernetes objects once (``codegen/airflow/shared.py``).
KubernetesPodOperator renders some of them in place, so a process that runs
several tasks one after another (``dag.test()``) renders a shared object again
for each task. Here every task of each fixture is rendered and built in one
process, one after another (in task order and in reverse), the way the task runner does it (a shallow copy of the
task, then ``render_template_fields``), and each pod must equal the pod of the
same task rendered alone from its own deep copy.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from .fixtures_ir import CASES, ENVIRONMENTS

pytestmark = pytest.mark.slow

KUBERNETES_ENVS = sorted(e for e, v in ENVIRONMENTS.items() if v.operator == "kubernetes")
PARAMS = [(case, env) for case in sorted(CASES) for env in KUBERNETES_ENVS]


def _pod(op, dry_run: bool) -> dict:
    from .runtime import build_pod

    return ApiClient().sanitize_for_serialization(build_pod(op, dry_run))


@pytest.mark.parametrize(("case", "env"), PARAMS)
@pytest.mark.parametrize("order", ["forward", "backward"])
def test_tasks_rendered_in_one_process_build_the_pods_they_build_alone(
    case: str, env: str, order: str, tmp_path: Path
) -> None:
    from .runtime import load_dags, rendered, run_context

    project = CASES[case](env)
    bag, _ = load_dags(project, tmp_path)
    dry_run = project.environment.kubernetes_conn_id is None
    tasks = [t for d in sorted(bag.dags.values(), key=lambda d: d.dag_id) for t in d.tasks]
    tasks = [t for t in tasks if t.task_type == "KubernetesPodOperator"]
    if order == "backward":
        tasks.reverse()
    alone = [_pod(rendered(t), dry_run) for t in tasks]
    together = []
    for task in tasks:  # each task once, as a process running them in turn would
        op = copy.copy(task)  # what the task runner's prepare_for_execution() does
        op.render_template_fields(run_context(task.dag))
        together.append(_pod(op, dry_run))
    for task, one, many in zip(tasks, alone, together, strict=True):
        assert many == one, f"{task.dag_id}.{task.task_id}"


def test_inert_objects_are_shared_and_templated_ones_are_not(tmp_path: Path) -> None:
    """The sharing happens (else the test above proves nothing), and only where it may."""
    from .runtime import load_dags

    bag, _ = load_dags(CASES["hostile"]("prod"), tmp_path / "hostile")
    per_task = [t for d in bag.dags.values() for t in d.tasks if t.task_type == "KubernetesPodOperator"]
    assert len(per_task) > 1
    assert len({id(t.container_security_context) for t in per_task}) < len(per_task)
    env_vars = [v for t in per_task for v in t.env_vars]
    templated = [v for v in env_vars if "{" in str(getattr(v.value, "value", v.value) or "")]
    assert templated, "the hostile fixture has templated or brace-holding values"
    users = {}
    for task in per_task:
        for var in task.env_vars:
            users.setdefault(id(var), []).append(task.task_id)
    assert all(len(users[id(v)]) == 1 for v in templated)
    assert any(len(u) > 1 for u in users.values())

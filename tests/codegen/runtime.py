"""Helpers for the Airflow-importing suites: load generated DAGs, render tasks, and
compute what a container receives from each operator. Import only from slow tests.

They run on every supported Airflow line (3.0 to 3.3, see ``make test-airflow30``):
the few test-side APIs that moved between those lines are imported here once.
"""

from __future__ import annotations

import copy
import inspect
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk.definitions._internal.templater import LiteralValue
from airflow.sdk.execution_time.context import MacrosAccessor
from kubernetes.client import ApiClient

from pipec.codegen import generate
from pipec.ir.model import Project

try:  # Airflow >= 3.1
    from airflow.dag_processing.dagbag import DagBag as _DagBag

    _DAGBAG_ARGS: dict[str, Any] = {}
except ImportError:  # Airflow 3.0
    from airflow.models.dagbag import DagBag as _DagBag

    _DAGBAG_ARGS = {"include_examples": False}
try:  # Airflow >= 3.1
    from airflow.sdk._shared.secrets_masker import redact
    from airflow.sdk.exceptions import AirflowNotFoundException
    from airflow.serialization.serialized_objects import DagSerialization

    # What Connection.get raises for an undefined connection outside a task runner.
    MISSING_CONNECTION: type[Exception] = AirflowNotFoundException
except ImportError:  # Airflow 3.0
    from airflow.sdk.execution_time.secrets_masker import redact
    from airflow.serialization.serialized_objects import SerializedDAG as DagSerialization

    # 3.0's task SDK then asks the task runner's supervisor, which a test process
    # lacks: the import of its channel fails. (In a real run the task fails: see
    # tests/runs.)
    MISSING_CONNECTION = ImportError

__all__ = ["MISSING_CONNECTION", "DagSerialization", "redact"]

# Labels KubernetesPodOperator.build_pod_request_obj adds that depend on the
# installation, not on the DAG: the Airflow version, and whether the hook runs
# in a cluster. (With a context it also adds dag_id/task_id/run_id/try_number/
# kubernetes_pod_operator labels; the comparison builds without a context.)
RUNTIME_LABELS = frozenset({"airflow_version", "airflow_kpo_in_cluster"})

LOGICAL_DATE = pendulum.datetime(2024, 3, 5, 6, 0, tz="UTC")
# A hand-triggered run id may hold any text: "$" and "$(VAR)" must survive too.
RUN_ID = "manual__2024-03-05 $(HOME) $$ {{ ds }}"


def run_context(dag: Any, run_id: str = RUN_ID, try_number: int = 1) -> dict[str, Any]:
    """The template context values pipec's templates read, as Airflow 3 provides them.

    ``ti`` stands in for the task instance, of which the pod name reads only
    ``try_number``; ``macros`` is the task SDK's own accessor.
    """
    return {
        "macros": MacrosAccessor(),
        "ti": SimpleNamespace(try_number=try_number),
        "dag": dag,
        "ds": LOGICAL_DATE.strftime("%Y-%m-%d"),
        "logical_date": LOGICAL_DATE,
        "data_interval_start": LOGICAL_DATE.subtract(days=1),
        "data_interval_end": LOGICAL_DATE,
        "run_id": run_id,
    }


def run_values() -> dict[str, str]:
    """What each run.* variable must render to under :func:`run_context`."""
    ctx = run_context(None)
    stamps = ("logical_date", "data_interval_start", "data_interval_end")
    return {
        "ds": ctx["ds"],
        "run_id": ctx["run_id"],
        **{name: ctx[name].isoformat() for name in stamps},
        "window_start": ctx["data_interval_start"].isoformat(),
        "window_end": ctx["data_interval_end"].isoformat(),
    }


def write_tree(files: dict[str, bytes], root: Path) -> Path:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def dag_bag(folder: Path) -> Any:
    """Airflow's DagBag of ``folder`` (no example DAGs), on any supported Airflow line."""
    return _DagBag(dag_folder=str(folder), **_DAGBAG_ARGS)


def load_dags(project: Project, root: Path) -> tuple[Any, dict[str, bytes]]:
    """Generate ``project`` into ``root`` and parse it with Airflow's DagBag."""
    files = generate(project)
    write_tree(files, root)
    return dag_bag(root), files


def unwrap_literals(value: Any) -> Any:
    """``value`` with every ``literal(...)`` replaced by its text, templates left as written.

    This is the operator as the pod YAML describes it: before Airflow renders
    templates, but with literal() markers (which only stop rendering) removed.
    """
    if isinstance(value, LiteralValue):
        return value.value
    if isinstance(value, list):
        return [unwrap_literals(v) for v in value]
    if isinstance(value, dict):
        return {k: unwrap_literals(v) for k, v in value.items()}
    if hasattr(value, "openapi_types"):
        for attr in value.openapi_types:
            setattr(value, attr, unwrap_literals(getattr(value, attr)))
    return value


def build_pod(op: KubernetesPodOperator, dry_run: bool) -> Any:
    """``op.build_pod_request_obj()``; ``dry_run`` skips asking the hook whether it runs in
    a cluster. Providers before ``dry_run`` existed always ask, which fails outside a
    cluster for an in-cluster task: there the hook reads the test kubeconfig instead.
    The answer only sets the ``airflow_kpo_in_cluster`` label (see RUNTIME_LABELS).
    """
    if "dry_run" in inspect.signature(op.build_pod_request_obj).parameters:
        return op.build_pod_request_obj(dry_run=dry_run)
    if dry_run:
        from airflow.providers.cncf.kubernetes.hooks.kubernetes import KubernetesHook

        op.__dict__["hook"] = KubernetesHook(config_file=os.environ["KUBECONFIG"])
    return op.build_pod_request_obj()


def unrendered_pod(task: KubernetesPodOperator, dry_run: bool) -> dict[str, Any]:
    """``build_pod_request_obj()`` of the unrendered task, sanitized, runtime labels dropped."""
    op = copy.deepcopy(task)
    for field in op.template_fields:
        setattr(op, field, unwrap_literals(getattr(op, field)))
    pod = ApiClient().sanitize_for_serialization(build_pod(op, dry_run))
    pod["metadata"]["labels"] = {
        k: v for k, v in pod["metadata"]["labels"].items() if k not in RUNTIME_LABELS
    }
    return pod


def rendered(task: Any, run_id: str = RUN_ID, try_number: int = 1) -> Any:
    """A copy of ``task`` after Airflow renders its template fields for :func:`run_context`."""
    op = copy.deepcopy(task)
    op.render_template_fields(run_context(task.dag, run_id, try_number))
    return op


@dataclass(frozen=True)
class Received:
    """What a container gets: image, entrypoint, args, and environment."""

    image: str
    entrypoint: tuple[str, ...]
    args: tuple[str, ...]
    env: dict[str, str | None]  # None: a Kubernetes secret reference


def k8s_expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion (k8s.io/kubernetes third_party/forked/golang/expansion).

    ``$$`` becomes ``$``; ``$(NAME)`` becomes the value of NAME when defined,
    else stays as written; any other ``$`` is kept.
    """
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 == len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(" and ")" in text[i + 2 :]:
            close = text.index(")", i + 2)
            name = text[i + 2 : close]
            out.append(env.get(name, f"$({name})"))
            i = close + 1
        else:
            out.append("$" + nxt)
            i += 2
    return "".join(out)


def received_kubernetes(task: KubernetesPodOperator) -> Received:
    """What the pod's container receives after rendering and Kubernetes' expansion.

    Expansion is done with every name defined (as a marker), so any ``$(...)``
    pipec failed to escape shows up as a difference.
    """
    op = rendered(task)
    pod = build_pod(op, dry_run=True)
    container = pod.spec.containers[0]
    defined = _AllDefined()
    env: dict[str, str | None] = {}
    for var in container.env or []:
        env[var.name] = None if var.value_from else k8s_expand(var.value, defined)
    return Received(
        image=container.image,
        entrypoint=tuple(k8s_expand(c, defined) for c in container.command or []),
        args=tuple(k8s_expand(a, defined) for a in container.args or []),
        env=env,
    )


class _AllDefined(dict):
    def get(self, key: str, default: Any = None) -> str:
        return f"<EXPANDED {key}>"


def received_docker(task: DockerOperator) -> tuple[Received, dict[str, Any]]:
    """Run the rendered DockerOperator against a fake Docker API; return what it sent.

    The second value holds the raw ``create_container`` keyword arguments.
    """
    op = rendered(task)
    client = mock.MagicMock()
    client.images.return_value = [{"Id": "image"}]
    client.create_container.return_value = {"Id": "container"}
    client.attach.return_value = iter([])
    client.wait.return_value = {"StatusCode": 0}
    hook = mock.MagicMock(api_client=client)
    with mock.patch.object(DockerOperator, "hook", new=hook):
        op.execute(run_context(task.dag))
    sent = client.create_container.call_args.kwargs
    received = Received(
        image=sent["image"],
        entrypoint=tuple(sent["entrypoint"] or ()),
        args=tuple(sent["command"] or ()),
        env=dict(sent["environment"]),
    )
    return received, sent

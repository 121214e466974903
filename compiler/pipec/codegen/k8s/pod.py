"""The pod one task runs, as a plan shared by the pod YAML and the operator call.

:func:`plan` decides every value once; :func:`manifest` turns the plan into the
exact V1Pod (as ``ApiClient().sanitize_for_serialization`` prints it) that
``KubernetesPodOperator.build_pod_request_obj()`` builds from the operator
call ``pipec.codegen.airflow.operators`` writes from the same plan. The fields
marked "KPO" below are what the provider (cncf-kubernetes 10.25) always sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipec.codegen import names
from pipec.codegen.text import Value, k8s_escape, static_entrypoint, to_value
from pipec.ir.model import Dag, Platform, SecretSource, Task, Tenant

CONTAINER_NAME = "base"  # KPO: KubernetesPodOperator.BASE_CONTAINER_NAME
TMP_VOLUME = "tmp"
TMP_PATH = "/tmp"
ENCLAVE_KEY = "pipec.io/enclave"
HIGH_SECURITY = "high-security"
LABEL_PREFIX = "pipec.io/"


@dataclass(frozen=True)
class EnvVar:
    """One container environment variable: a value, or a key of a Kubernetes Secret."""

    name: str
    value: Value | None = None
    secret: SecretSource | None = None


@dataclass(frozen=True)
class PodPlan:
    """Everything that varies between task pods; the rest is fixed policy."""

    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    image: str
    command: tuple[Value, ...]
    args: tuple[Value, ...]
    env: tuple[EnvVar, ...]
    cpu: str
    memory: str
    run_as_user: int
    pull_secret: str | None
    high_security: bool


def plan(platform: Platform, tenant: Tenant, dag: Dag, task: Task) -> PodPlan:
    """The pod of ``task`` of ``dag`` for ``tenant``."""
    env = tuple(EnvVar(n, value=to_value(t, kubernetes=True)) for n, t in task.env)
    env += tuple(EnvVar(s.env_var, secret=s.source) for s in task.secrets)
    return PodPlan(
        name=names.pod_name(dag.pipeline, task.name),
        namespace=tenant.namespace,
        labels=pod_labels(dag, task),
        image=task.image,
        command=tuple(Value(k8s_escape(t), templated=False) for t in static_entrypoint(task)),
        args=tuple(to_value(t, kubernetes=True) for t in task.args),
        env=env,
        cpu=task.resources.cpu,
        memory=task.resources.memory,
        run_as_user=task.run_as_user,
        pull_secret=platform.pull_secret,
        high_security=tenant.enclave == "high_security",
    )


def pod_labels(dag: Dag, task: Task) -> tuple[tuple[str, str], ...]:
    """The ``pipec.io/*`` labels of a task's pod (and docker container), sorted."""
    labels = {
        "tenant": dag.tenant,
        "pipeline": dag.pipeline,
        "task": task.name,
        "layer": task.layer,
    }
    return tuple(sorted((LABEL_PREFIX + k, v) for k, v in labels.items()))


def resources(p: PodPlan) -> dict[str, dict[str, str]]:
    """Requests equal to limits (Guaranteed QoS)."""
    amounts = {"cpu": p.cpu, "memory": p.memory}
    return {"limits": dict(amounts), "requests": dict(amounts)}


def pod_security_context(p: PodPlan) -> dict[str, Any]:
    """Pod-level part of the "restricted" Pod Security Standard."""
    return {
        "runAsNonRoot": True,
        "runAsUser": p.run_as_user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    """Container-level part of the "restricted" Pod Security Standard."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    }


def node_selector(p: PodPlan) -> dict[str, str]:
    """High-security tenants run only on the enclave's nodes."""
    return {ENCLAVE_KEY: HIGH_SECURITY} if p.high_security else {}


def tolerations(p: PodPlan) -> list[dict[str, str]]:
    """The toleration matching the enclave nodes' NoSchedule taint."""
    if not p.high_security:
        return []
    return [
        {"effect": "NoSchedule", "key": ENCLAVE_KEY, "operator": "Equal", "value": HIGH_SECURITY}
    ]


def _env(var: EnvVar) -> dict[str, Any]:
    if var.secret is not None:
        ref = {"key": var.secret.key, "name": var.secret.secret_name}
        return {"name": var.name, "valueFrom": {"secretKeyRef": ref}}
    assert var.value is not None
    return {"name": var.name, "value": var.value.text}


def manifest(p: PodPlan) -> dict[str, Any]:
    """The V1Pod of the plan, keyed as the Kubernetes API spells it."""
    container = {
        "args": [v.text for v in p.args],
        "command": [v.text for v in p.command],
        "env": [_env(v) for v in p.env],
        "envFrom": [],  # KPO
        "image": p.image,
        "name": CONTAINER_NAME,
        "ports": [],  # KPO
        "resources": resources(p),
        "securityContext": container_security_context(),
        "terminationMessagePolicy": "File",  # KPO
        "volumeMounts": [{"mountPath": TMP_PATH, "name": TMP_VOLUME}],
    }
    spec = {
        "affinity": {},  # KPO
        "automountServiceAccountToken": False,
        "containers": [container],
        "hostNetwork": False,  # KPO
        "imagePullSecrets": [{"name": p.pull_secret}] if p.pull_secret else [],
        "initContainers": [],  # KPO
        "nodeSelector": node_selector(p),
        "restartPolicy": "Never",  # KPO
        "securityContext": pod_security_context(p),
        "serviceAccountName": names.POD_SERVICE_ACCOUNT,
        "tolerations": tolerations(p),
        "volumes": [{"emptyDir": {}, "name": TMP_VOLUME}],
    }
    metadata = {
        "annotations": {},
        "labels": dict(p.labels),
        "name": p.name,
        "namespace": p.namespace,
    }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}

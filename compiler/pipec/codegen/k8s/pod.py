"""The pod one task runs, as a plan shared by the pod YAML and the operator call.

:func:`plan` decides every value once; :func:`manifest` turns the plan into the
exact V1Pod (as ``ApiClient().sanitize_for_serialization`` prints it) that
``KubernetesPodOperator.build_pod_request_obj()`` builds from the operator
call ``pipec.codegen.airflow.operators`` writes from the same plan. The fields
marked "KPO" below are what the provider (cncf-kubernetes 10.25) always sets.
:func:`manifest_yaml` writes it: most of a pod is the same for every task, so
pods of one shape are written from one ``yamlout`` skeleton.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pipec.codegen import names, yamlout
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


def manifest_yaml(p: PodPlan) -> bytes:
    """``yamlout.dump(manifest(p))``, written from the skeleton of ``p``'s shape.

    Cutting a shape's skeleton costs about as much as writing four pods the
    generic way; filling it, about a fifth of one.
    """
    shape = _shape(p)
    try:
        cut = _SKELETONS[shape]
    except KeyError:
        if len(_SKELETONS) >= _SKELETON_LIMIT:
            _SKELETONS.clear()
        cut = _SKELETONS[shape] = _skeleton(p)
    text = cut.fill(_scalars(p)) if cut is not None else None
    return text.encode("utf-8") if text is not None else yamlout.dump(manifest(p))


# Skeletons by shape (None: the shape is left to yamlout.dump).
_SKELETONS: dict[tuple[Any, ...], yamlout.Skeleton | None] = {}
_SKELETON_LIMIT = 1_000


def _shape(p: PodPlan) -> tuple[Any, ...]:
    """What decides a pod manifest's keys and lists: all of it but :func:`_scalars`."""
    return (
        tuple([key for key, _ in p.labels]),
        len(p.command),
        len(p.args),
        tuple([var.secret is None for var in p.env]),
        bool(p.pull_secret),
        bool(p.high_security),
    )


def _scalars(p: PodPlan) -> list[Any]:
    """The values of ``p`` that its manifest holds as scalars, in a fixed order."""
    values: list[Any] = [p.name, p.namespace, p.image, p.cpu, p.memory, p.run_as_user]
    values += [value for _, value in p.labels]
    values += [v.text for v in p.command]
    values += [v.text for v in p.args]
    for var in p.env:
        values.append(var.name)
        if var.secret is None:
            values.append(var.value.text)  # type: ignore[union-attr]
        else:
            values += (var.secret.key, var.secret.secret_name)
    if p.pull_secret:
        values.append(p.pull_secret)
    return values


def _with_scalars(p: PodPlan, values: Iterable[Any]) -> PodPlan:
    """``p`` of the same shape holding ``values`` in place of :func:`_scalars`, in its order."""
    take = iter(values).__next__
    name, namespace, image, cpu, memory, run_as_user = (take() for _ in range(6))
    labels = tuple((key, take()) for key, _ in p.labels)
    command = tuple(Value(take(), v.templated) for v in p.command)
    args = tuple(Value(take(), v.templated) for v in p.args)
    env = []
    for var in p.env:
        var_name = take()
        if var.secret is None:
            env.append(EnvVar(var_name, value=Value(take(), var.value.templated)))  # type: ignore[union-attr]
        else:
            key = take()
            env.append(EnvVar(var_name, secret=SecretSource(secret_name=take(), key=key)))
    pull_secret = take() if p.pull_secret else p.pull_secret
    return replace(p, name=name, namespace=namespace, labels=labels, image=image, command=command, args=args,
                   env=tuple(env), cpu=cpu, memory=memory, run_as_user=run_as_user, pull_secret=pull_secret)


def _skeleton(p: PodPlan) -> yamlout.Skeleton | None:
    """The skeleton of the manifests of ``p``'s shape."""

    def build(values: list[str]) -> dict[str, Any]:
        holding = _with_scalars(p, values)
        assert _scalars(holding) == values, "_scalars and _with_scalars disagree"
        return manifest(holding)

    return yamlout.skeleton(build, len(_scalars(p)))

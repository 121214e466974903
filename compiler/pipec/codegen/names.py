"""Names derived from IR names: output paths, pod names, the publish task id."""

from __future__ import annotations

import hashlib

from pipec.ir.model import Dag, Task, Tenant

POD_NAME_MAX = 63
_HASH_LEN = 8

# Task id of the task that emits a DAG's Asset. User task names match
# [a-z][a-z0-9_]*, so a name with a hyphen can never collide with one.
PUBLISH_TASK_ID = "pipec-publish"

# ServiceAccount the task pods run as (created in every tenant namespace).
POD_SERVICE_ACCOUNT = "pipec-task"
# Role (and RoleBinding) letting the Airflow launcher manage pods of a tenant.
LAUNCHER_ROLE = "pipec-pod-launcher"
# NetworkPolicy of a tenant namespace.
NETWORK_POLICY = "pipec-default-deny"
# ResourceQuota and LimitRange of a tenant namespace.
QUOTA_NAME = "pipec-quota"
LIMIT_RANGE_NAME = "pipec-limits"


def layer_group_id(layer: str) -> str:
    """TaskGroup id of a layer (shown as the bare layer name in the UI).

    Group ids share the DAG's namespace with task ids even without prefixes; the
    hyphen keeps a task named ``silver`` from colliding with the silver group.
    """
    return f"layer-{layer}"


# The pod name's last part, rendered by Airflow for each task try: 8 hex digits
# of a UUID5 (SHA-1) of the run id and the try number, so two runs of a DAG, or
# two tries of a task, never ask Kubernetes for the same pod name (a manual run
# during the nightly one), while the name stays a pure function of the run.
RUN_SUFFIX = (
    "{{ macros.uuid.uuid5(macros.uuid.NAMESPACE_URL, run_id ~ '/' ~ ti.try_number).hex[:8] }}"
)


def pod_name_base(pipeline: str, task: str, limit: int = POD_NAME_MAX) -> str:
    """``<pipeline>-<task>`` with ``_`` as ``-``, cut to ``limit`` characters with a hash.

    A longer name keeps its first characters and ends in ``-`` plus the first 8
    hex digits of the SHA-256 of the full name, so distinct names stay distinct.
    """
    full = f"{pipeline}-{task}".replace("_", "-")
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:_HASH_LEN]
    head = full[: limit - _HASH_LEN - 1].rstrip("-")
    return f"{head}-{digest}"


def pod_name(pipeline: str, task: str) -> str:
    """The pod name template: ``<pipeline>-<task>`` (cut to 54) ``-`` :data:`RUN_SUFFIX`.

    Rendered, it is an RFC 1123 label of at most 63 characters, different for
    every run and try of the task.
    """
    return f"{pod_name_base(pipeline, task, POD_NAME_MAX - _HASH_LEN - 1)}-{RUN_SUFFIX}"


def dag_path(tenant: str, dag_id: str) -> str:
    """Path of a DAG file, relative to DIR/ENV."""
    return f"{tenant}/dags/{dag_id}.py"


def pools_path(tenant: Tenant) -> str:
    """Path of a tenant's pools.json."""
    return f"{tenant.name}/pools.json"


def tenant_manifest_path(tenant: Tenant) -> str:
    """Path of a tenant's namespace manifests."""
    return f"{tenant.name}/k8s/tenant.yaml"


def pod_path(dag: Dag, task: Task) -> str:
    """Path of the pod YAML of one task."""
    return f"{dag.tenant}/k8s/pods/{dag.pipeline}.{task.name}.yaml"

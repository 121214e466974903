"""Code generation: a validated IR Project in, output files (path -> bytes) out.

``generate`` is pure and deterministic: the same Project gives the same bytes
under any PYTHONHASHSEED, with no timestamps or versions. It imports neither
Airflow, Kubernetes nor black; only jinja2, pyyaml and the standard library.
``manifest.json`` is added by ``pipec.publish``.
"""

from __future__ import annotations

import json

from pipec.codegen import names, yamlout
from pipec.codegen.airflow.render import dag_file
from pipec.codegen.errors import CodegenError
from pipec.codegen.k8s import pod, tenant as tenant_k8s
from pipec.gcpause import cycle_collector_paused
from pipec.ir.model import Dag, Project, Task, Tenant

__all__ = ["CodegenError", "dag_outputs", "generate", "tenant_outputs"]


def generate(project: Project, *, tenant_files=None, dag_files=None) -> dict[str, bytes]:
    """Every output file for ``project.environment``, keyed by POSIX path relative to DIR/ENV.

    ``tenant_files`` and ``dag_files`` stand in for ``tenant_outputs`` and ``dag_outputs``
    (same arguments and results): ``pipec.incremental`` passes versions that reuse the
    files of unchanged tenants and DAGs.
    """
    tenant_files, dag_files = tenant_files or tenant_outputs, dag_files or dag_outputs
    with cycle_collector_paused():  # half of generate's CPU at 2,000 tasks was collections
        tenants = {t.name: t for t in project.tenants}
        files: dict[str, bytes] = {}
        for tenant in project.tenants:
            files.update(tenant_files(project, tenant))
        for dag in project.dags:
            tenant = tenants.get(dag.tenant)
            if tenant is None:
                raise CodegenError(
                    f"internal error: DAG {dag.dag_id} names unknown tenant {dag.tenant}"
                )
            files.update(dag_files(project, tenant, dag))
        return dict(sorted(files.items()))


# The two functions below read only ``project.platform`` and ``project.environment``
# besides their arguments: pipec.incremental reuses their outputs keyed on exactly these.


def tenant_outputs(project: Project, tenant: Tenant) -> dict[str, bytes]:
    """The tenant's own files: its pool and, on Kubernetes, its namespace manifest."""
    files = {names.pools_path(tenant): pools_json(tenant)}
    if project.environment.operator == "kubernetes":
        docs = tenant_k8s.documents(project.platform, project.environment, tenant)
        files[names.tenant_manifest_path(tenant)] = yamlout.dump_all(docs)
    return files


def dag_outputs(project: Project, tenant: Tenant, dag: Dag) -> dict[str, bytes]:
    """The DAG file of ``dag`` and, on Kubernetes, one pod spec per task."""
    for task in dag.tasks:
        _check_env_names(dag.dag_id, task)
    kubernetes = project.environment.operator == "kubernetes"
    # each pod is planned once, for its manifest and for the operator call that builds it
    pods = {t.name: pod.plan(project.platform, tenant, dag, t) for t in dag.tasks} if kubernetes else {}
    files = {names.dag_path(dag.tenant, dag.dag_id): dag_file(project, tenant, dag, pods)}
    for task in dag.tasks if kubernetes else ():
        files[names.pod_path(dag, task)] = pod.manifest_yaml(pods[task.name])
    return files


def _check_env_names(dag_id: str, task: Task) -> None:
    """One variable per name: Kubernetes would keep both, Docker only the last."""
    env_names = [name for name, _ in task.env] + [s.env_var for s in task.secrets]
    if len(env_names) != len(set(env_names)):
        raise CodegenError(
            f"internal error: duplicate environment variable in {dag_id}.{task.name}"
        )


def pools_json(tenant: Tenant) -> bytes:
    """The tenant's pool in ``airflow pools import`` format."""
    pool = {
        "description": f"pipec tenant {tenant.name}",
        "include_deferred": False,
        "slots": tenant.pool_slots,
    }
    return (json.dumps({tenant.pool_name: pool}, indent=2, sort_keys=True) + "\n").encode("utf-8")

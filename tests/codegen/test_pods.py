"""Pod YAML equals what KubernetesPodOperator builds; every manifest validates.

Compared: ``build_pod_request_obj()`` of each generated task (unrendered, with
``literal(...)`` markers removed), sanitized by the Kubernetes client, against
the emitted ``k8s/pods/<pipeline>.<task>.yaml``. Ignored: the labels
``airflow_version`` and ``airflow_kpo_in_cluster``, which depend on the
installation running the task, not on the DAG. Built without a task context,
so the run-time identity labels (dag_id, task_id, run_id, try_number, ...)
are not added. In-cluster environments build with ``dry_run=True`` (no
in-cluster config exists here), which skips only ``airflow_kpo_in_cluster``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipec.codegen import generate
from pipec.codegen.names import pod_name, pod_name_base

from .fixtures_ir import CASES, ENVIRONMENTS

pytestmark = pytest.mark.slow

KUBERNETES_ENVS = sorted(e for e, v in ENVIRONMENTS.items() if v.operator == "kubernetes")
PARAMS = [(case, env) for case in sorted(CASES) for env in KUBERNETES_ENVS]
K8S_VERSION = "1.31"


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_pod_yaml_is_what_the_operator_builds(case: str, env: str, tmp_path: Path) -> None:
    from .runtime import load_dags, unrendered_pod

    project = CASES[case](env)
    bag, files = load_dags(project, tmp_path)
    in_cluster = project.environment.kubernetes_conn_id is None
    compared = 0
    for ir in project.dags:
        dag = bag.dags[ir.dag_id]
        for task in ir.tasks:
            emitted = yaml.safe_load(files[f"{ir.tenant}/k8s/pods/{ir.pipeline}.{task.name}.yaml"])
            built = unrendered_pod(dag.get_task(task.name), dry_run=in_cluster)
            assert built == emitted, f"{ir.dag_id}.{task.name}"
            assert built["metadata"]["name"] == pod_name(ir.pipeline, task.name)
            compared += 1
    assert compared == sum(len(d.tasks) for d in project.dags)


def test_pod_names_differ_per_run_and_try(tmp_path: Path) -> None:
    """Two runs (a manual one during the nightly one), or two tries, never share a pod name."""
    import re

    from .runtime import load_dags, rendered

    project = CASES["realistic"]("prod")
    bag, _ = load_dags(project, tmp_path)
    runs = [
        ("scheduled__2024-03-05T05:00:00+00:00", 1),
        ("scheduled__2024-03-05T05:00:00+00:00", 2),
        ("manual__2024-03-05T07:12:44.123456+00:00", 1),
        ("manual__2024-03-05 $(HOME) {{ ds }}", 1),
    ]
    checked = 0
    for ir in project.dags:
        dag = bag.dags[ir.dag_id]
        for task in ir.tasks:
            op = dag.get_task(task.name)
            names = [op._set_name(rendered(op, run_id, tries).name) for run_id, tries in runs]
            assert len(set(names)) == len(runs), names
            for name in names:
                assert len(name) <= 63 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)
                assert name.startswith(pod_name_base(ir.pipeline, task.name, 54) + "-")
            assert op._set_name(rendered(op, *runs[0]).name) == names[0]  # a pure function of the run
            checked += 1
    assert checked == sum(len(d.tasks) for d in project.dags) > 0


def _manifests() -> list[tuple[str, dict]]:
    docs = []
    for case, env in PARAMS:
        for path, data in generate(CASES[case](env)).items():
            if path.endswith(".yaml"):
                docs += [(f"{case}/{env}/{path}", d) for d in yaml.safe_load_all(data)]
    return docs


def test_every_manifest_validates_strictly() -> None:
    import kubernetes_validate

    docs = _manifests()
    assert {d["kind"] for _, d in docs} >= {"Pod", "Namespace", "NetworkPolicy", "RoleBinding"}
    for name, doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            pytest.fail(f"{name} ({doc['kind']}): {err.message}")


def test_pods_meet_the_restricted_pod_security_standard() -> None:
    for name, pod in _manifests():
        if pod["kind"] != "Pod":
            continue
        spec = pod["spec"]
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] > 0, name
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
        assert all(set(v) == {"name", "emptyDir"} for v in spec["volumes"])
        for container in spec["containers"]:
            c = container["securityContext"]
            assert c["allowPrivilegeEscalation"] is False and not c.get("privileged")
            assert c["capabilities"] == {"drop": ["ALL"]}
            assert c["readOnlyRootFilesystem"] is True
            assert container["resources"]["limits"] == container["resources"]["requests"]
            assert {"mountPath": "/tmp", "name": "tmp"} in container["volumeMounts"]


def test_high_security_pods_are_pinned_to_the_enclave() -> None:
    for name, pod in _manifests():
        if pod["kind"] != "Pod":
            continue
        high = pod["metadata"]["namespace"] == "tenant-globex"
        selector = {"pipec.io/enclave": "high-security"} if high else {}
        assert pod["spec"]["nodeSelector"] == selector, name
        tolerations = pod["spec"]["tolerations"]
        assert bool(tolerations) == high
        if high:
            assert tolerations == [
                {
                    "effect": "NoSchedule",
                    "key": "pipec.io/enclave",
                    "operator": "Equal",
                    "value": "high-security",
                }
            ]

"""What the container receives, after Airflow renders templates, in both operators.

For every task of the realistic and the hostile project: image, entrypoint,
args and environment reaching the container equal the IR's text with run.*
parts replaced by the run's values, byte for byte. DockerOperator is executed
against a fake Docker API (its real code path up to ``create_container``);
KubernetesPodOperator's pod is built after rendering and Kubernetes' ``$(VAR)``
expansion is applied, as the kubelet would. Docker secrets come from real
Airflow connections given as ``AIRFLOW_CONN_<ID>`` environment variables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipec.ir.model import Project, Task, Text

from .fixtures_ir import CASES, ENVIRONMENTS

pytestmark = pytest.mark.slow

SECRET = 'pa$$(w)ord {{ conn.x.password }} "quoted"'
PARAMS = [(case, env) for case in sorted(CASES) for env in sorted(ENVIRONMENTS)]


@pytest.fixture(autouse=True)
def secret_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    for tenant in ("ACME", "GLOBEX"):
        conn = {"conn_type": "generic", "password": f"{tenant} {SECRET}"}
        monkeypatch.setenv(f"AIRFLOW_CONN_{tenant}__WAREHOUSE", json.dumps(conn))


def _text(t: Text) -> str:
    from .runtime import run_values

    values = run_values()
    return "".join(p if isinstance(p, str) else values[p.var] for p in t.parts)


def _expected(task: Task, tenant: str, docker: bool) -> dict:
    env: dict[str, str | None] = {name: _text(t) for name, t in task.env}
    for s in task.secrets:
        env[s.env_var] = f"{tenant.upper()} {SECRET}" if docker else None
    return {
        "image": task.image,
        "entrypoint": tuple(_text(t) for t in task.entrypoint),
        "args": tuple(_text(t) for t in task.args),
        "env": env,
    }


def _received(project: Project, bag, tmp_path: Path) -> dict[tuple[str, str], dict]:
    from .runtime import received_docker, received_kubernetes

    out = {}
    for ir in project.dags:
        for task in ir.tasks:
            op = bag.dags[ir.dag_id].get_task(task.name)
            if project.environment.operator == "docker":
                received, _ = received_docker(op)
            else:
                received = received_kubernetes(op)
            out[ir.dag_id, task.name] = received.__dict__
    return out


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from .runtime import load_dags

    mp = pytest.MonkeyPatch()
    for tenant in ("ACME", "GLOBEX"):
        conn = {"conn_type": "generic", "password": f"{tenant} {SECRET}"}
        mp.setenv(f"AIRFLOW_CONN_{tenant}__WAREHOUSE", json.dumps(conn))
    results = {}
    try:
        for case, env in PARAMS:
            project = CASES[case](env)
            bag, _ = load_dags(project, tmp_path_factory.mktemp(f"rt-{case}-{env}"))
            results[case, env] = (project, _received(project, bag, Path()))
    finally:
        mp.undo()
    return results


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_container_receives_the_intended_bytes(received: dict, case: str, env: str) -> None:
    project, got = received[case, env]
    docker = project.environment.operator == "docker"
    for ir in project.dags:
        for task in ir.tasks:
            assert got[ir.dag_id, task.name] == _expected(task, ir.tenant, docker), task.name


@pytest.mark.parametrize("case", sorted(CASES))
def test_docker_and_kubernetes_receive_the_same(received: dict, case: str) -> None:
    _, docker = received[case, "local"]
    for kube_env in ("prod", "staging"):
        _, kube = received[case, kube_env]
        assert docker.keys() == kube.keys()
        for key, d in docker.items():
            k = kube[key]
            assert (d["image"], d["entrypoint"], d["args"]) == (
                k["image"],
                k["entrypoint"],
                k["args"],
            )
            assert sorted(d["env"]) == sorted(k["env"])
            assert {n: v for n, v in d["env"].items() if k["env"][n] is not None} == {
                n: v for n, v in k["env"].items() if v is not None
            }


def test_hostile_strings_are_covered(received: dict) -> None:
    from .fixtures_ir import HOSTILE

    _, got = received["hostile", "prod"]
    seen = {a for r in got.values() for a in r["args"]}
    assert set(HOSTILE) <= seen


def test_kubernetes_secrets_reference_the_tenant_secret(tmp_path: Path) -> None:
    from .runtime import build_pod, load_dags, rendered

    project = CASES["realistic"]("prod")
    bag, _ = load_dags(project, tmp_path)
    op = rendered(bag.dags["globex__sales"].get_task("extract_orders"))
    pod = build_pod(op, dry_run=True)
    [secret] = [e for e in pod.spec.containers[0].env if e.value_from]
    ref = secret.value_from.secret_key_ref
    assert (secret.name, ref.name, ref.key) == ("WAREHOUSE", "globex-warehouse", "dsn")


def test_docker_secret_comes_from_the_connection_password_masked_and_unrendered(
    tmp_path: Path,
) -> None:
    from .runtime import load_dags, received_docker, redact, rendered

    bag, files = load_dags(CASES["realistic"]("local"), tmp_path)
    assert SECRET.encode() not in b"".join(files.values())
    op = bag.dags["acme__sales"].get_task("extract_orders")
    received, sent = received_docker(op)
    assert sent["environment"]["WAREHOUSE"] == f"ACME {SECRET}"
    assert redact(f"log line ACME {SECRET} end") == "log line *** end"
    shown = rendered(op)
    assert all("WAREHOUSE" not in str(getattr(shown, f)) for f in shown.template_fields)
    assert "private_environment" not in shown.template_fields


def test_docker_secret_without_connection_fails_the_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .runtime import MISSING_CONNECTION, load_dags, received_docker

    bag, _ = load_dags(CASES["realistic"]("local"), tmp_path)
    monkeypatch.delenv("AIRFLOW_CONN_ACME__WAREHOUSE")
    with pytest.raises(MISSING_CONNECTION):
        received_docker(bag.dags["acme__sales"].get_task("extract_orders"))


def test_docker_runs_without_airflow_tmp_dir_and_with_profile_limits(tmp_path: Path) -> None:
    from .runtime import load_dags, received_docker

    bag, _ = load_dags(CASES["realistic"]("local"), tmp_path)
    op = bag.dags["acme__sales"].get_task("fct_sales")
    received, sent = received_docker(op)
    assert "AIRFLOW_TMP_DIR" not in sent["environment"]
    assert (op.cpus, op.mem_limit, op.user, op.network_mode) == (2.0, 8 * 2**30, "10001", "edge")
    assert op.auto_remove == "success" and op.mount_tmp_dir is False
    assert sent["labels"]["pipec.io/tenant"] == "acme"

"""generate(): the set of outputs, their formats, determinism and a light import path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipec.codegen import generate
from pipec.codegen.names import PUBLISH_TASK_ID

from .fixtures_ir import CASES, ENVIRONMENTS, project

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_every_tenant_gets_a_pool_and_kubernetes_manifests_only_for_kubernetes(env: str) -> None:
    p = project(env)
    files = generate(p)
    kubernetes = p.environment.operator == "kubernetes"
    for tenant in p.tenants:
        assert f"{tenant.name}/pools.json" in files
        assert (f"{tenant.name}/k8s/tenant.yaml" in files) == kubernetes
    assert "initech/pools.json" in files and not any(f.startswith("initech/dags/") for f in files)
    for dag in p.dags:
        assert f"{dag.tenant}/dags/{dag.dag_id}.py" in files
        for task in dag.tasks:
            assert (f"{dag.tenant}/k8s/pods/{dag.pipeline}.{task.name}.yaml" in files) == kubernetes
    assert "manifest.json" not in files
    assert list(files) == sorted(files)


def test_pools_json_is_airflow_pools_import_format() -> None:
    pools = json.loads(generate(project("local"))["acme/pools.json"])
    assert pools == {
        "acme": {"description": "pipec tenant acme", "include_deferred": False, "slots": 16}
    }


def test_tenant_manifest_documents() -> None:
    docs = list(yaml.safe_load_all(generate(project("prod"))["globex/k8s/tenant.yaml"]))
    kinds = [d["kind"] for d in docs]
    assert kinds == [
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "NetworkPolicy",
        "ServiceAccount",
        "Role",
        "RoleBinding",
    ]
    labels = docs[0]["metadata"]["labels"]
    assert {labels[f"pod-security.kubernetes.io/{m}"] for m in ("enforce", "audit", "warn")} == {
        "restricted"
    }
    policy = docs[3]["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"] and policy["ingress"] == []
    blocks = [rule["to"][0].get("ipBlock", {}).get("cidr") for rule in policy["egress"]]
    assert blocks == [None, "10.30.1.0/24", "192.168.7.7/32"]
    binding = docs[6]["subjects"][0]
    assert (binding["name"], binding["namespace"]) == ("airflow-worker", "airflow")
    assert docs[4]["automountServiceAccountToken"] is False


def test_publish_task_id_cannot_be_a_user_task_name() -> None:
    import re

    assert not re.fullmatch(r"[a-z][a-z0-9_]*", PUBLISH_TASK_ID)


def test_generated_python_has_no_comments_and_user_text_only_in_string_constants() -> None:
    """No comment can carry user text; names in code are the compiler's own."""
    import io
    import keyword
    import tokenize

    for env in ENVIRONMENTS:
        for path, data in generate(CASES["hostile"](env)).items():
            if not path.endswith(".py"):
                continue
            tokens = list(tokenize.tokenize(io.BytesIO(data).readline))
            assert not [t for t in tokens if t.type == tokenize.COMMENT], path
            names = {t.string for t in tokens if t.type == tokenize.NAME}
            assert not {n for n in names if n.startswith("hostile") or n == "silver"}, path
            assert all(keyword.iskeyword(n) or n.isidentifier() for n in names)


_DIGEST_SCRIPT = """
import hashlib, sys
sys.path[:0] = [{compiler!r}, {tests!r}]
from codegen.fixtures_ir import CASES, ENVIRONMENTS
from pipec.codegen import generate
h = hashlib.sha256()
for case in sorted(CASES):
    for env in sorted(ENVIRONMENTS):
        for path, data in generate(CASES[case](env)).items():
            h.update(path.encode() + b"\\0" + data + b"\\0")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("airflow", "kubernetes", "black"))
print(h.hexdigest(), heavy)
"""


def test_output_is_identical_under_any_hash_seed_and_imports_stay_light() -> None:
    script = _DIGEST_SCRIPT.format(compiler=str(ROOT / "compiler"), tests=str(ROOT / "tests"))
    results = set()
    for seed in ("0", "1", "4242", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        results.add(out.stdout.strip())
    assert len(results) == 1
    assert results.pop().endswith("[]"), "the compiler imported airflow, kubernetes or black"


def test_duplicate_environment_variables_are_an_internal_error() -> None:
    from pipec.codegen import CodegenError
    from pipec.ir.model import Task

    p = project("prod")
    sales = next(d for d in p.dags if d.dag_id == "acme__sales")
    task = sales.tasks[0]
    clash = task.model_copy(update={"env": (("WAREHOUSE", task.env[0][1]),)})
    assert isinstance(clash, Task)
    broken = p.model_copy(update={"dags": (sales.model_copy(update={"tasks": (clash,)}),)})
    with pytest.raises(CodegenError, match="duplicate environment variable"):
        generate(broken)

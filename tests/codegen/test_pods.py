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

from dataclasses import fields, replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen import generate, yamlout
from pipec.codegen.k8s import pod
from pipec.codegen.names import pod_name, pod_name_base
from pipec.codegen.text import Value
from pipec.ir.model import SecretSource

from .fixtures_ir import CASES, ENVIRONMENTS, HOSTILE

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


# Pod YAML from skeletons (pod.manifest_yaml) is what the generic writer and PyYAML write.


def _plans(case: str, env: str) -> list[pod.PodPlan]:
    project = CASES[case](env)
    tenants = {t.name: t for t in project.tenants}
    return [pod.plan(project.platform, tenants[d.tenant], d, t) for d in project.dags for t in d.tasks]


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_pod_yaml_from_skeletons_is_what_the_writers_write(case: str, env: str) -> None:
    plans = _plans(case, env)
    assert plans
    pod._SKELETONS.clear()
    for p in plans + plans:  # each shape cut once, then reused
        written = pod.manifest_yaml(p)
        assert written == yamlout.dump(pod.manifest(p)) == yamlout.dump_all([pod.manifest(p)], pure=True)
        assert yaml.safe_load(written) == pod.manifest(p)
        cut = pod._SKELETONS[pod._shape(p)]
        assert cut is not None  # every shape of the fixtures is cut
        # only a value the direct writer leaves to PyYAML (a line break) leaves a pod to it
        assert (cut.fill(pod._scalars(p)) is None) == (yamlout.direct([pod.manifest(p)]) is None)


# Strings in pods: the hostile corpus, YAML's tricky scalars, the skeletons' placeholders, anything.
_TRICKY = ["y", "N", "no", "on", "~", "null", "0o17", "+1.5E3", "1_000", "0x1F", ".inf", "2024-1-2", "1.0", "-", "- a",
           "a: b", "a:b", "#x", "x #y", "[a]", "{a}", "{{ ds }}", "&a", "*a", "!a", "|", ">", "%a", "@a", "`a",
           "'", '"', " a", "a ", "", "? a", "a\nb", "a\n", "\r", "\t", "\u2028", "\x85", "\ufeff", "caf\u00e9",
           "$(VAR)", "$$", "k" * 130, "pipec-yamlout-hole-0-0-", "pipec-yamlout-hole-1-3-"]
_TEXT = st.one_of(st.sampled_from(_TRICKY + list(HOSTILE)), st.text(max_size=20),
                  st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))


@st.composite
def _pods_of_one_shape(draw) -> list[pod.PodPlan]:
    """Two or three PodPlans of one shape, every field of each drawn apart."""
    text = _TEXT
    label_keys = draw(st.lists(st.one_of(st.sampled_from(["pipec.io/task", "pipec.io/layer"]), text), max_size=4))
    commands, args = draw(st.integers(0, 2)), draw(st.integers(0, 8))
    secrets = draw(st.lists(st.booleans(), max_size=3))
    pull_secret, high_security = draw(st.booleans()), draw(st.booleans())

    def value() -> Value:
        return Value(draw(text), draw(st.booleans()))

    def env_var(secret: bool) -> pod.EnvVar:
        if secret:
            return pod.EnvVar(draw(text), secret=SecretSource(secret_name=draw(text), key=draw(text)))
        return pod.EnvVar(draw(text), value=value())

    def one() -> pod.PodPlan:
        drawn = {
            "name": draw(text),
            "namespace": draw(text),
            "labels": tuple((key, draw(text)) for key in label_keys),
            "image": draw(text),
            "command": tuple(value() for _ in range(commands)),
            "args": tuple(value() for _ in range(args)),
            "env": tuple(env_var(secret) for secret in secrets),
            "cpu": draw(text),
            "memory": draw(text),
            "run_as_user": draw(st.integers(0, 2**31)),
            "pull_secret": draw(text.filter(bool)) if pull_secret else draw(st.sampled_from([None, ""])),
            "high_security": high_security,
        }
        # a field not drawn here would be the same in every pod: a skeleton could keep one pod's value
        assert drawn.keys() == {f.name for f in fields(pod.PodPlan)}
        return pod.PodPlan(**drawn)

    return [one() for _ in range(draw(st.integers(2, 3)))]


@settings(max_examples=100, deadline=None)
@given(st.lists(_pods_of_one_shape(), min_size=1, max_size=3))
def test_pod_yaml_from_skeletons_keeps_every_value_in_its_scalar(groups: list[list[pod.PodPlan]]) -> None:
    pod._SKELETONS.clear()
    for plans in groups:
        for p in plans:
            document = pod.manifest(p)
            written = pod.manifest_yaml(p)
            assert written == yamlout.dump(document) == yamlout.dump_all([document], pure=True)
            assert yaml.safe_load(written) == document


def test_pods_of_other_shapes_get_other_skeletons() -> None:
    """Pods differing from one another only in a list's length, an item's kind or an optional block."""
    base = next(p for p in _plans("realistic", "prod") if p.env and p.args and p.command)
    secret = pod.EnvVar("DSN", secret=SecretSource(secret_name="warehouse", key="dsn"))
    value = pod.EnvVar("PLAIN", value=Value("v", templated=False))
    variants = [
        base,
        replace(base, labels=base.labels[:-1]),
        replace(base, labels=(*base.labels, ("pipec.io/zz", "extra"))),
        replace(base, labels=(("app", "a"), *base.labels[1:])),
        replace(base, command=()),
        replace(base, command=(*base.command, Value("more", templated=False))),
        replace(base, args=()),
        replace(base, args=base.args[:1]),
        replace(base, env=()),
        replace(base, env=(value,)),
        replace(base, env=(secret,)),
        replace(base, env=(secret, value)),
        replace(base, env=(value, secret)),
        replace(base, pull_secret=None),
        replace(base, pull_secret=""),
        replace(base, pull_secret="regcred"),
        replace(base, high_security=not base.high_security),
    ]
    pod._SKELETONS.clear()
    for _ in range(2):
        for p in variants:
            assert pod.manifest_yaml(p) == yamlout.dump_all([pod.manifest(p)], pure=True), p
    assert all(pod._SKELETONS.values())

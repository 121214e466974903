"""Keyword arguments of the operator call of one task, as expressions.

Rule for user text (spec 6): in a templated operator field a static value
reaches the container as written, and a value with runtime parts is a template
(see ``pipec.codegen.text``). A static value that rendering could change (a
``{`` that may open Jinja, a line break Jinja normalises, a template-file
suffix) is wrapped in ``literal(...)`` so Airflow never renders it; any other
is a plain constant, which Jinja gives back unchanged: ``literal`` costs
Airflow an object per value at every parse, and serializing the DAG (which
the DAG processor does after every parse) writes it out as
``"LiteralValue(value='...')"``, which the UI then shows. Fields Airflow does
not render get plain string constants: ``literal`` there would reach the
container as an object. Names the grammar restricts to identifiers (task,
pipeline, tenant, layer) are never wrapped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipec.codegen import names, quantity
from pipec.codegen.k8s import pod
from pipec.codegen.pyexpr import Call, Code, Dict, Expr, Float, Int, List, Str
from pipec.codegen.text import Value, static_entrypoint, to_value
from pipec.ir.model import Dag, Environment, Task

Kwargs = tuple[tuple[str, Expr], ...]

FALSE = Code("False")
TRUE = Code("True")
NONE = Code("None")
SECRETS_CLASS = "_ConnectionSecrets"
# The module constant every Kubernetes object of a DAG file is built with (see k8s()).
K8S_CONFIG = "K8S_CONFIG"
K8S_CONFIG_CALL = "Configuration.get_default_copy"


def k8s(model: str, kwargs: Kwargs = ()) -> Expr:
    """``k8s.MODEL(...)`` sharing the file's client configuration.

    A Kubernetes model built without ``local_vars_configuration`` copies the
    default client configuration for itself (most of a DAG file's parse time).
    The file takes one copy up front (``K8S_CONFIG = Configuration.get_default_copy()``)
    and every object uses it: the same objects, the same pods.
    """
    return Call(f"k8s.{model}", kwargs=kwargs + (("local_vars_configuration", Code(K8S_CONFIG)),))


# The builders below marked @_memo return the same (immutable) expression for the
# same inputs. Most of a pod's objects are alike in every task: one shared
# instance prints its text once (pyexpr caches it per node) instead of once per
# task, and shared.Constants finds the repeats by that text.
_memo = lru_cache(maxsize=4096)


# Text Jinja renders to itself: no ``{`` (every Jinja tag starts with one; line
# statements are off in Airflow's environments), no line break (Jinja turns
# ``\r\n`` and ``\r`` into ``\n``).
INERT = re.compile(r"[^{\r\n]*\Z")
# Airflow reads a rendered field's value that ends in one of its operator's
# ``template_ext`` as a template file. KubernetesPodOperator has none,
# DockerOperator ``.sh``, ``.bash``, ``.env`` (tests/codegen/test_operators.py checks
# the installed providers); the others guard what an operator or provider release
# might add.
TEMPLATE_SUFFIXES = (".sh", ".bash", ".env", ".json", ".yaml", ".yml", ".sql", ".hql", ".py", ".j2",
                     ".jinja", ".jinja2", ".html", ".md", ".txt", ".cfg", ".conf", ".ini", ".tpl")


@_memo
def literal(text: str) -> Expr:
    """``text`` for a field Airflow renders, reaching the container as written: a plain
    constant when rendering gives it back unchanged, else ``literal("...")``."""
    if INERT.match(text) and not text.lower().endswith(TEMPLATE_SUFFIXES):
        return Str(text)
    return Call("literal", (Str(text),))


def templated(value: Value) -> Expr:
    """A value for a field Airflow renders."""
    return Str(value.text) if value.templated else literal(value.text)


def timedelta(seconds: int | None) -> Expr:
    """``timedelta(seconds=N)``, or ``None`` for no limit."""
    return NONE if seconds is None else Call("timedelta", kwargs=(("seconds", Int(seconds)),))


def doc_md(doc: str) -> Expr:
    """A ``doc_md`` value that Airflow shows as text.

    Airflow reads a DAG's ``doc_md`` that ends in ``.md`` as a file path; a
    trailing newline keeps it text and renders the same in Markdown.
    """
    return Str(doc + "\n" if doc.endswith(".md") else doc)


def labels(dag: Dag, task: Task) -> Expr:
    """The ``pipec.io/*`` labels."""
    return Dict(tuple((k, Str(v)) for k, v in pod.pod_labels(dag, task)))


def common(dag: Dag, task: Task) -> Kwargs:
    """Settings shared by every operator: the queue if any, the rest where they differ from the DAG's."""
    kwargs: list[tuple[str, Expr]] = [("queue", Str(task.queue))] if task.queue else []
    if task.retries != dag.retries:
        kwargs.append(("retries", Int(task.retries)))
    if task.retry_delay_seconds != dag.retry_delay_seconds:
        kwargs.append(("retry_delay", timedelta(task.retry_delay_seconds)))
    if task.timeout_seconds != dag.timeout_seconds:
        kwargs.append(("execution_timeout", timedelta(task.timeout_seconds)))
    if task.doc:
        kwargs.append(("doc_md", doc_md(task.doc)))
    return tuple(kwargs)


def kubernetes(environment: Environment, dag: Dag, task: Task, p: pod.PodPlan) -> Kwargs:
    """``KubernetesPodOperator`` arguments building the pod ``p`` (:func:`pod.plan` of ``task``)."""
    kwargs: list[tuple[str, Expr]] = [
        ("task_id", Str(task.name)),
        ("name", Str(p.name)),
        ("namespace", literal(p.namespace)),
        ("image", literal(p.image)),
    ]
    if p.command:
        kwargs.append(("cmds", List(tuple(templated(v) for v in p.command))))
    if p.args:
        kwargs.append(("arguments", List(tuple(templated(v) for v in p.args))))
    static_env = not any(v.value is not None and v.value.templated for v in p.env)
    if p.env and not static_env:
        kwargs.append(("env_vars", List(tuple(_env_var(v) for v in p.env))))
    kwargs += [
        ("full_pod_spec", _pod_template(p.env if static_env else (), p.cpu, p.memory)),
        ("labels", labels(dag, task)),
        ("service_account_name", Str(names.POD_SERVICE_ACCOUNT)),
        ("automount_service_account_token", FALSE),
        ("security_context", _pod_security(p.run_as_user)),
        ("container_security_context", _container_security()),
    ]
    if p.pull_secret:
        pull = k8s("V1LocalObjectReference", (("name", Str(p.pull_secret)),))
        kwargs.append(("image_pull_secrets", List((pull,))))
    if p.high_security:
        selector = Dict(tuple((k, Str(v)) for k, v in pod.node_selector(p).items()))
        kwargs.append(("node_selector", selector))
        kwargs.append(("tolerations", List(tuple(_toleration(t) for t in pod.tolerations(p)))))
    kwargs += [("on_finish_action", Str("delete_pod")), ("random_name_suffix", FALSE)]
    kwargs += _connection(environment)
    return tuple(kwargs) + common(dag, task)


@_memo
def _pod_template(env: tuple[pod.EnvVar, ...], cpu: str, memory: str) -> Expr:
    """The ``full_pod_spec`` the operator builds its pod over: what the tasks of a DAG share.

    The ``/tmp`` volume and its mount, the resources, and environment variables
    without run-time values go into the pod this way rather than as the operator's
    ``volumes``, ``volume_mounts``, ``container_resources`` and ``env_vars``:
    ``full_pod_spec`` is no template field, so Airflow neither renders it (its
    text reaches the pod as written, no ``literal`` needed) nor writes it into the
    serialized DAG, which the DAG processor builds after every parse and where a
    Kubernetes object costs most (``to_dict`` of every field of every object, for
    every task). The operator merges its own pod onto this one
    (``PodGenerator.reconcile_pods``): the template's container lends its
    resources, mounts and environment to the operator's container (which sets
    none of them); the template's volumes become the pod's. The pod is the same
    (tests/codegen/test_pods.py compares it with the YAML).
    """
    container = (
        ("name", Str(pod.CONTAINER_NAME)),
        *((("env", List(tuple(_env_var(v, rendered=False) for v in env))),) if env else ()),
        ("resources", _resources(cpu, memory)),
        ("volume_mounts", List((_tmp_mount(),))),
    )
    spec = (("containers", List((k8s("V1Container", container),))), ("volumes", List((_tmp_volume(),))))
    return k8s("V1Pod", (("spec", k8s("V1PodSpec", spec)),))


@_memo
def _env_var(var: pod.EnvVar, rendered: bool = True) -> Expr:
    """A ``V1EnvVar``: for ``env_vars``, which Airflow renders, or (``rendered=False``) for
    the pod template, which it never does, so its text goes as written."""
    if var.secret is None:
        assert var.value is not None and (rendered or not var.value.templated)
        value = templated(var.value) if rendered else Str(var.value.text)
        return k8s("V1EnvVar", (("name", Str(var.name)), ("value", value)))
    selector = k8s(
        "V1SecretKeySelector", (("name", Str(var.secret.secret_name)), ("key", Str(var.secret.key)))
    )
    source = k8s("V1EnvVarSource", (("secret_key_ref", selector),))
    return k8s("V1EnvVar", (("name", Str(var.name)), ("value_from", source)))


@_memo
def _resources(cpu: str, memory: str) -> Expr:
    amounts = Dict((("cpu", Str(cpu)), ("memory", Str(memory))))  # in the pod template: never rendered
    return k8s("V1ResourceRequirements", (("limits", amounts), ("requests", amounts)))


@_memo
def _pod_security(run_as_user: int) -> Expr:
    seccomp = k8s("V1SeccompProfile", (("type", Str("RuntimeDefault")),))
    return k8s(
        "V1PodSecurityContext",
        (
            ("run_as_non_root", TRUE),
            ("run_as_user", Int(run_as_user)),
            ("seccomp_profile", seccomp),
        ),
    )


@_memo
def _container_security() -> Expr:
    drop = k8s("V1Capabilities", (("drop", List((Str("ALL"),))),))
    return k8s(
        "V1SecurityContext",
        (
            ("allow_privilege_escalation", FALSE),
            ("capabilities", drop),
            ("read_only_root_filesystem", TRUE),
        ),
    )


@_memo
def _tmp_volume() -> Expr:
    empty = k8s("V1EmptyDirVolumeSource")
    return k8s("V1Volume", (("name", Str(pod.TMP_VOLUME)), ("empty_dir", empty)))


@_memo
def _tmp_mount() -> Expr:
    return k8s("V1VolumeMount", (("name", Str(pod.TMP_VOLUME)), ("mount_path", Str(pod.TMP_PATH))))


def _toleration(toleration: dict[str, str]) -> Expr:
    return k8s("V1Toleration", tuple((k, Str(v)) for k, v in toleration.items()))


def _connection(environment: Environment) -> Kwargs:
    """An explicit Airflow connection, else the pod's in-cluster service account."""
    if environment.kubernetes_conn_id:
        return (("kubernetes_conn_id", literal(environment.kubernetes_conn_id)),)
    return (("kubernetes_conn_id", NONE), ("in_cluster", TRUE))


def docker(environment: Environment, dag: Dag, task: Task) -> Kwargs:
    """``DockerOperator`` arguments running the same container as the kubernetes pod."""
    kwargs: list[tuple[str, Expr]] = [("task_id", Str(task.name)), ("image", literal(task.image))]
    if task.entrypoint:
        entrypoint = static_entrypoint(task)
        kwargs.append(("entrypoint", List(tuple(Str(t) for t in entrypoint))))
    if task.args:
        kwargs.append(("command", List(tuple(templated(to_value(t, False)) for t in task.args))))
    if task.env:
        env = tuple((name, templated(to_value(t, False))) for name, t in task.env)
        kwargs.append(("environment", Dict(env)))
    if task.secrets:
        conns = Dict(tuple((s.env_var, Str(s.connection_id)) for s in task.secrets))
        kwargs.append(("private_environment", Call(SECRETS_CLASS, (conns,))))
    if environment.network:
        kwargs.append(("network_mode", Str(environment.network)))
    if environment.docker_url:
        kwargs.append(("docker_url", Str(environment.docker_url)))
    kwargs += [
        ("cpus", Float(quantity.cpus(task.resources.cpu))),
        ("mem_limit", Int(quantity.memory_bytes(task.resources.memory))),
        ("user", Str(str(task.run_as_user))),
        ("labels", labels(dag, task)),
        ("auto_remove", Str("success")),
        ("mount_tmp_dir", FALSE),
    ]
    return tuple(kwargs) + common(dag, task)

"""Kubernetes objects a DAG file builds once, as module constants, for every task using them.

Most of a pod's Kubernetes objects are the same for every task of a DAG file:
the security contexts, the pull secret, the pod template (``full_pod_spec``:
resources, the ``/tmp`` volume and mount, static environment variables; see
``operators._pod_template``), the environment variables of tasks that pass them
as ``env_vars``.
Building each of them once instead of once per task makes the file shorter
(Python compiles it on every DagBag parse) and cheaper to run, and the pods are
the same objects as before.

Sharing is safe only where rendering a task's templates cannot change what
another task's pod receives. KubernetesPodOperator renders the ``value`` and
``name`` of a ``V1EnvVar`` in ``env_vars`` in place (it sets the rendered value
on the object). A
process that runs several tasks (``dag.test()``, a test) renders a shared object
again and again, so its strings must render to themselves: an object is shared
only when none of its strings contains ``{`` (no Jinja expression, statement or
comment can start) or a line break (Jinja normalises line breaks and drops a
trailing newline). Objects the operator never renders (security contexts, pull
secret, tolerations) meet the same rule, but for the pod template, which
Airflow neither renders nor serializes. Everything else, such as an
environment variable carrying ``{{ ds }}`` or user text with a brace, stays a
per-task object. Lists stay per task too: only the objects in them are shared.
"""

from __future__ import annotations

import re
from collections import Counter

from pipec.codegen.airflow.operators import INERT
from pipec.codegen.pyexpr import Call, Code, Expr, Float, Int, List, Str

# Kubernetes models shared when inert -> the constant's name, or its prefix when
# the object's own ``name`` completes it: ``ENV_LOG_LEVEL``.
_CONSTANT_NAMES = {
    "k8s.V1PodSecurityContext": "POD_SECURITY_CONTEXT",
    "k8s.V1SecurityContext": "CONTAINER_SECURITY_CONTEXT",
    "k8s.V1LocalObjectReference": "PULL_SECRET",
    "k8s.V1Toleration": "TOLERATION",
    "k8s.V1Pod": "POD_TEMPLATE",
}
# Objects in fields Airflow never renders (``full_pod_spec``): shared whatever their text.
_NEVER_RENDERED = frozenset({"k8s.V1Pod"})
_NAMED_PREFIXES = {
    "k8s.V1EnvVar": ("ENV_", "name"),
}
_SHAREABLE = frozenset(_CONSTANT_NAMES) | frozenset(_NAMED_PREFIXES)
_NOT_IDENTIFIER = re.compile(r"[^A-Z0-9_]")


class Constants:
    """The module constants of one DAG file's operator calls, in order of first use.

    An object becomes a constant when at least two of ``calls`` build it alike;
    an object only one task builds stays in that task's call.
    """

    def __init__(self, calls: list[Expr]) -> None:
        inert: dict[str, bool] = {}  # flat text -> _inert(): tasks repeat the same objects
        self._uses: Counter[str] = Counter()  # texts of the inert shareable objects -> uses
        for call in calls:
            for expr in _objects(call):
                if type(expr) is Call and expr.func in _SHAREABLE:
                    text = expr.flat()
                    ok = inert.get(text)
                    if ok is None:
                        ok = inert[text] = expr.func in _NEVER_RENDERED or _inert(expr)
                    if ok:
                        self._uses[text] += 1
        self._by_text: dict[str, str] = {}
        self.assignments: list[tuple[str, Expr]] = []

    def task(self, call: Expr) -> Expr:
        """The operator ``call`` with each shared Kubernetes object replaced by its constant."""
        if not isinstance(call, Call):
            return call
        kwargs = tuple((key, self._argument(value)) for key, value in call.kwargs)
        return Call(call.func, call.args, kwargs)

    def _argument(self, value: Expr) -> Expr:
        if type(value) is List:
            return List(tuple([self._share(item) for item in value.items]))
        return self._share(value)

    def _share(self, expr: Expr) -> Expr:
        if type(expr) is not Call or expr.func not in _SHAREABLE:
            return expr
        text = expr.flat()
        if self._uses[text] < 2:  # used once, or not inert (never counted)
            return expr
        name = self._by_text.get(text)
        if name is None:
            name = self._fresh(_base_name(expr))
            self._by_text[text] = name
            self.assignments.append((name, expr))
        return Code(name)

    def _fresh(self, base: str) -> str:
        taken = {name for name, _ in self.assignments}
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        return name


def _objects(call: Expr) -> list[Expr]:
    """The keyword argument values of ``call``, and the items of those that are lists."""
    if not isinstance(call, Call):
        return []
    values = [value for _, value in call.kwargs]
    return [item for v in values for item in (v.items if isinstance(v, List) else (v,))]


def _base_name(call: Call) -> str:
    if call.func in _CONSTANT_NAMES:
        return _CONSTANT_NAMES[call.func]
    prefix, key = _NAMED_PREFIXES[call.func]
    own = "_".join(s for k, v in call.kwargs if k == key for s in _strings(v))
    return prefix + _NOT_IDENTIFIER.sub("_", own.upper())


def _strings(expr: Expr) -> list[str]:
    """Every string constant in ``expr``."""
    if isinstance(expr, Str):
        return [expr.value]
    return [s for _, element in expr.elements() for s in _strings(element)]


def _inert(expr: Expr) -> bool:
    """True when every string in ``expr`` renders to itself (see the module docstring)."""
    return all(INERT.match(s) for s in _strings(expr))


TASK_ARGS = "TASK_ARGS"
# Never shared: what names a task (its id, pod name, labels, doc) differs per task anyway.
_OWN = frozenset({"task_id", "name", "labels", "doc_md"})


def task_args(calls: list[Expr]) -> tuple[Call | None, list[Expr]]:
    """``TASK_ARGS = dict(...)`` of the keyword arguments every operator call passes alike.

    Shared when all ``calls`` (two or more) pass the same value: a constant
    (string, number, ``True``/``False``/``None``, ``literal(...)``) or a module
    constant of this file (a shared Kubernetes object). Lists, dicts and other
    calls stay per task, so no task holds a container another task could change.
    Each call then starts with ``**TASK_ARGS``. Returns the ``dict(...)`` call
    (None when nothing is shared) and the calls.
    """
    operators = [c for c in calls if isinstance(c, Call)]
    if len(operators) < 2 or len(operators) != len(calls):
        return None, calls
    first = operators[0]
    alike = {key: value for key, value in first.kwargs if key not in _OWN and _plain(value)}
    for call in operators[1:]:
        if not alike:
            break
        values = dict(call.kwargs)
        for key, value in list(alike.items()):
            other = values.get(key)  # most often the very same (memoised) expression
            if other is not value and (other is None or other.flat() != value.flat()):
                del alike[key]
    common = [(key, value) for key, value in first.kwargs if key in alike]
    if not common:
        return None, calls
    keys = {key for key, _ in common}
    spread = Code(f"**{TASK_ARGS}")
    shared_calls: list[Expr] = [
        Call(c.func, (*c.args, spread), tuple((k, v) for k, v in c.kwargs if k not in keys))
        for c in operators
    ]
    return Call("dict", kwargs=tuple(common)), shared_calls


def _plain(value: Expr) -> bool:
    if isinstance(value, (Str, Int, Float, Code)):
        return True
    return isinstance(value, Call) and value.func == "literal"

"""How a :class:`~pipec.ir.model.Text` becomes the value an operator receives.

A static Text is user text and must reach the container verbatim: in templated
operator fields it is wrapped in ``airflow.sdk.definitions.template.literal(...)`` (see ``python.py``)
so Airflow never renders it. A Text with runtime parts becomes a Jinja template
in which only the ``RunRef`` parts are expressions; literal parts are either
kept as plain template data, when they cannot start or end a Jinja delimiter, or
written as Jinja string-literal expressions (``{{ "..." }}``). The last literal
part is always an expression, so a template never ends in plain data: no
trailing-newline stripping and no template-file suffix (``.json``, ``.sh``...)
that would make Airflow load the value as a file.

Kubernetes expands ``$(VAR)`` and turns ``$$`` into ``$`` in command, args and
env values, so for kubernetes every ``$`` in those is written ``$$``, in the
literal parts and in runtime values that may contain ``$`` (``run_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipec.codegen.errors import CodegenError
from pipec.ir.model import RunRef, RunVar, Task, Text

# The Jinja expression each runtime value compiles to, over Airflow 3's task
# context. The run's window is Airflow's data interval: pipec schedules cron and
# preset pipelines with ``CronDataIntervalTimetable``, whose consecutive
# intervals tile time (``run.data_interval_*`` are the same values under their
# Airflow names). ``ds`` is YYYY-MM-DD; timestamps go through Airflow's ``ts`` filter
# (ISO 8601, "2024-03-05T06:00:00+00:00": a bare DateTime would render with a
# space instead of "T"); ``run_id`` is the run id as is.
_EXPRESSION: dict[RunVar, str] = {
    "ds": "ds",
    "logical_date": "logical_date | ts",
    "window_start": "data_interval_start | ts",
    "window_end": "data_interval_end | ts",
    "data_interval_start": "data_interval_start | ts",
    "data_interval_end": "data_interval_end | ts",
    "run_id": "run_id",
}
# Values that can hold "$" (a run id is free text when a run is triggered by hand).
_FREE_TEXT_VARS: frozenset[RunVar] = frozenset({"run_id"})

_JINJA_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "{": "\\x7b",
    "}": "\\x7d",
}
_UNSAFE_DATA = frozenset("{}\r\n")


@dataclass(frozen=True)
class Value:
    """A Text ready for one operator: ``text`` is static text or a Jinja template.

    ``templated`` tells which: a static value must be protected from rendering
    (``literal``), a template must be rendered by Airflow.
    """

    text: str
    templated: bool


def k8s_escape(text: str) -> str:
    """Write ``$`` as ``$$`` so Kubernetes' ``$(VAR)`` expansion leaves the text as is."""
    return text.replace("$", "$$")


def k8s_unescape(text: str) -> str:
    """What a container receives from a Kubernetes value written by :func:`k8s_escape`."""
    return text.replace("$$", "$")


def jinja_string(text: str) -> str:
    """A Jinja expression that renders exactly ``text``."""
    body = "".join(_JINJA_ESCAPES.get(ch, ch) for ch in text)
    return '{{ "' + body + '" }}'


def to_value(text: Text, kubernetes: bool) -> Value:
    """The value of ``text`` for a docker (``kubernetes=False``) or kubernetes operator."""
    return _value(text.parts, kubernetes)


@lru_cache(maxsize=4096)  # the same settings and arguments recur in every task of a runner
def _value(parts: tuple[str | RunRef, ...], kubernetes: bool) -> Value:
    if all(type(p) is str for p in parts):
        value = "".join(parts)  # type: ignore[arg-type]
        return Value(k8s_escape(value) if kubernetes else value, templated=False)
    pieces = [_template_piece(p, i == len(parts) - 1, kubernetes) for i, p in enumerate(parts)]
    return Value("".join(pieces), templated=True)


def _template_piece(part: str | RunRef, last: bool, kubernetes: bool) -> str:
    if isinstance(part, RunRef):
        expression = _EXPRESSION[part.var]
        if kubernetes and part.var in _FREE_TEXT_VARS:
            expression += ' | replace("$", "$$")'
        return "{{ " + expression + " }}"
    if kubernetes:
        part = k8s_escape(part)
    if last or _UNSAFE_DATA.intersection(part):
        return jinja_string(part)
    return part


def static_entrypoint(task: Task) -> tuple[str, ...]:
    """The entrypoint strings of ``task``; ``run.*`` may reach only args and env (spec 4).

    DockerOperator does not even render ``entrypoint``, so a runtime value there
    could never work in both operators.
    """
    if not all(t.is_static for t in task.entrypoint):
        raise CodegenError(f"internal error: run.* value in the entrypoint of task {task.name}")
    return tuple(t.static_value for t in task.entrypoint)

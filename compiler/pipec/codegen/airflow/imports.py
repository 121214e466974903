"""The import block of a DAG file, derived from the names its code calls."""

from __future__ import annotations

_STDLIB = frozenset({"collections.abc", "datetime"})

# Called name -> (module, imported name or None for ``import module``).
_SOURCES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "timedelta": (("datetime", "timedelta"),),
    "pendulum.datetime": (("pendulum", None),),
    "DAG": (("airflow.sdk", "DAG"),),
    "TaskGroup": (("airflow.sdk", "TaskGroup"),),
    "Asset": (("airflow.sdk", "Asset"),),
    # the core module: airflow.sdk exports timetables only from Airflow 3.1 on
    "CronDataIntervalTimetable": (("airflow.timetables.interval", "CronDataIntervalTimetable"),),
    # ``airflow.sdk.literal`` cannot be imported on Airflow 3.0 (listed in
    # ``__all__``, missing from the lazy-import map); this path works on 3.0-3.3.
    "literal": (("airflow.sdk.definitions.template", "literal"),),
    "KubernetesPodOperator": (
        ("airflow.providers.cncf.kubernetes.operators.pod", "KubernetesPodOperator"),
    ),
    "DockerOperator": (("airflow.providers.docker.operators.docker", "DockerOperator"),),
    "EmptyOperator": (("airflow.providers.standard.operators.empty", "EmptyOperator"),),
    "SmtpNotifier": (("airflow.providers.smtp.notifications.smtp", "SmtpNotifier"),),
    "_ConnectionSecrets": (("collections.abc", "Mapping"), ("airflow.sdk", "Connection")),
    "Configuration.get_default_copy": (("kubernetes.client", "Configuration"),),
}
# Builtins the file calls.
_LOCAL = frozenset({"dict"})
_K8S_PREFIX = "k8s."
_K8S_IMPORT = "from kubernetes.client import models as k8s"


def import_lines(calls: set[str]) -> list[str]:
    """isort-style lines: stdlib, a blank line, third party; ``import`` before ``from``."""
    modules: dict[str, set[str]] = {}
    plain: set[str] = set()
    for call in calls:
        if call.startswith(_K8S_PREFIX) or call in _LOCAL:
            continue
        for module, name in _SOURCES[call]:
            if name is None:
                plain.add(module)
            else:
                modules.setdefault(module, set()).add(name)
    stdlib = _section(plain & _STDLIB, {m: n for m, n in modules.items() if m in _STDLIB})
    third = _section(plain - _STDLIB, {m: n for m, n in modules.items() if m not in _STDLIB})
    if any(c.startswith(_K8S_PREFIX) for c in calls):
        third = sorted(third + [_K8S_IMPORT], key=_line_key)
    return stdlib + ([""] if stdlib and third else []) + third


def _section(plain: set[str], modules: dict[str, set[str]]) -> list[str]:
    lines = [f"import {m}" for m in plain]
    lines += [f"from {m} import {', '.join(sorted(n, key=_name_key))}" for m, n in modules.items()]
    return sorted(lines, key=_line_key)


def _line_key(line: str) -> tuple[int, str]:
    return (0 if line.startswith("import ") else 1, line.split()[1])


def _name_key(name: str) -> tuple[int, str]:
    """isort's order_by_type: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return (kind, name.lower())

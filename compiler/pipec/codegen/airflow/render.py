"""Renders the DAG template with the view from ``context.py``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import jinja2

from pipec.codegen.airflow import context
from pipec.codegen.k8s.pod import PodPlan
from pipec.ir.model import Dag, Project, Tenant

_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def dag_file(project: Project, tenant: Tenant, dag: Dag, pods: Mapping[str, PodPlan]) -> bytes:
    """The Python source of one DAG file, UTF-8 (in fact ASCII); ``pods`` as in ``context.build``."""
    view = context.build(project, tenant, dag, pods)
    text = _environment().get_template("dag.py.j2").render(view=view)
    return text.encode("utf-8")

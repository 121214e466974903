"""The typed, resolved model of one compilation: what codegen consumes.

The IR is built by ``pipec.ir.lower`` for one environment. Every value is final:
defaults applied, precedence merged (built-in < pipeline < runner < task < task's
``when`` block), ``for`` expanded, names resolved, compile-time interpolation done.
Models are frozen and forbid extra fields; their validators catch compiler bugs,
never user errors (those are diagnostics, reported while lowering and checking).
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


RunVar = Literal[
    "ds", "logical_date", "window_start", "window_end", "data_interval_start", "data_interval_end", "run_id"
]
Layer = Literal["bronze", "silver", "gold"]
LAYERS: tuple[Layer, ...] = ("bronze", "silver", "gold")


class RunRef(_Model):
    """A runtime value, ``${run.<var>}`` in the source; becomes an Airflow template."""

    var: RunVar


class Text(_Model):
    """A string that reaches the container: literal text and runtime values, in order.

    Adjacent literal parts are merged and empty ones dropped, so a Text with no
    ``RunRef`` has at most one part.
    """

    parts: tuple[Union[str, RunRef], ...] = ()

    @property
    def is_static(self) -> bool:
        """True when no part is a runtime value."""
        return all(isinstance(p, str) for p in self.parts)

    @property
    def static_value(self) -> str:
        """The text of a static Text (compiler bug to call on a dynamic one)."""
        assert self.is_static, "static_value on a Text with runtime values"
        return "".join(self.parts)  # type: ignore[arg-type]


class Platform(_Model):
    """The ``platform`` block (spec 3.1) with defaults applied."""

    registry: str
    timezone: str = "UTC"
    start: str = "2024-01-01"  # ISO date, checked
    run_as_user: int = 10001
    pull_secret: str | None = None
    airflow_namespace: str = "airflow"
    airflow_service_account: str = "airflow-worker"
    queues: tuple[str, ...] = ()  # Airflow queues every environment has, sorted


class Environment(_Model):
    """The ``environment NAME`` being compiled."""

    name: str
    operator: Literal["docker", "kubernetes"]
    network: str | None = None
    docker_url: str | None = None
    kubernetes_conn_id: str | None = None
    kubernetes_version: str = "1.31"
    queues: tuple[str, ...] = ()  # Airflow queues of this environment (beside the platform's), sorted
    registry: str | None = None  # replaces platform.registry in this environment's images


class Quota(_Model):
    """A tenant's ResourceQuota: cpu and memory as Kubernetes quantities, pod count."""

    cpu: str
    memory: str
    pods: int


class Egress(_Model):
    """One allowed egress destination of a tenant (``"CIDR:port"``)."""

    cidr: str
    port: int


class SecretSource(_Model):
    """Where a tenant's secret slot lives: a key of a Kubernetes Secret in its namespace."""

    secret_name: str
    key: str


class Tenant(_Model):
    """A tenant with defaults applied. ``pool_name`` is the Airflow pool (the tenant name)."""

    name: str
    db_schema: str
    namespace: str
    enclave: Literal["standard", "high_security"] = "standard"
    quota: Quota
    pool_name: str
    pool_slots: int = 8
    egress: tuple[Egress, ...] = ()
    secrets: tuple[tuple[str, SecretSource], ...] = ()  # (slot, source), sorted by slot
    doc: str | None = None


class SecretEnv(_Model):
    """One secret injected into a task's container as an environment variable.

    ``connection_id`` is the Airflow connection used by docker environments,
    ``<tenant>__<slot>``; kubernetes environments use ``source``.
    """

    env_var: str
    slot: str
    source: SecretSource
    connection_id: str


class Resources(_Model):
    """Container resources from the task's profile (requests = limits)."""

    profile: str
    cpu: str
    memory: str


class Task(_Model):
    """One task of one DAG, every setting final for the environment being compiled.

    ``env`` holds the user's environment variables sorted by name (secrets are
    separate, in ``secrets``, sorted by env var). ``upstream`` are task names of the
    same DAG, sorted. ``entrypoint`` empty means the image's default entrypoint.
    ``queue`` is one the platform or the environment declares, or None.
    """

    name: str
    layer: Layer
    runner: str
    image: str
    entrypoint: tuple[Text, ...] = ()
    args: tuple[Text, ...] = ()
    env: tuple[tuple[str, Text], ...] = ()
    secrets: tuple[SecretEnv, ...] = ()
    resources: Resources
    queue: str | None = None  # None: no ``queue=``, Airflow's default queue
    retries: int = 0
    retry_delay_seconds: int = 300
    timeout_seconds: int | None = None
    run_as_user: int = 10001
    upstream: tuple[str, ...] = ()
    doc: str | None = None


class Schedule(_Model):
    """When a DAG runs.

    kind ``cron``: ``value`` is a cron expression; ``preset``: ``"@daily"``-style;
    ``manual``: no schedule (``schedule=None``); ``after``: ``asset_uri`` is the
    Asset emitted by the upstream pipeline of the same tenant (``pipec://<tenant>/<p>``).
    """

    kind: Literal["cron", "preset", "manual", "after"]
    value: str | None = None
    upstream_pipeline: str | None = None
    asset_uri: str | None = None


class Dag(_Model):
    """One pipeline instantiated for one tenant: one Airflow DAG.

    ``tasks`` are in a deterministic order: by layer, then lexicographic
    topological order inside the layer. ``publishes`` is the Asset URI this DAG
    emits once per successful run when another pipeline is scheduled after it,
    else None. ``on_failure_emails`` empty means no failure notifier.
    ``max_active_runs`` and ``catchup`` are Airflow's DAG settings; ``paused`` is
    ``is_paused_upon_creation`` (None: Airflow's configured default).
    """

    dag_id: str
    tenant: str
    pipeline: str
    schedule: Schedule
    owner: str = "pipec"
    tags: tuple[str, ...] = ()
    retries: int = 0
    retry_delay_seconds: int = 300
    timeout_seconds: int | None = None
    on_failure_emails: tuple[str, ...] = ()
    max_active_runs: int = 1
    catchup: bool = False
    paused: bool | None = None
    publishes: str | None = None
    tasks: tuple[Task, ...] = ()
    doc: str | None = None


class Project(_Model):
    """Everything one ``pipec compile --env ENV`` generates from.

    ``tenants`` are all declared tenants, sorted by name (each gets its pool and,
    in kubernetes environments, its manifests, even before it runs a pipeline);
    ``dags`` are sorted by ``dag_id``. ``inputs`` are the files besides the .pipe
    sources that the outputs derive from (dbt manifests), as (POSIX path relative
    to the project root, sha256), sorted.
    """

    environment: Environment
    platform: Platform
    tenants: tuple[Tenant, ...] = ()
    dags: tuple[Dag, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()

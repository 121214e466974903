"""IR Projects built by hand for codegen tests (no parser involved).

``project(env)`` is a realistic multi-tenant project: a standard and a
high_security tenant, a cron pipeline with secrets, ``run.*`` arguments, an
email notifier and an Asset published for an ``after`` pipeline, a manual
pipeline, a preset-scheduled one, and a tenant without DAGs. ``hostile_project``
puts a corpus of hostile strings into every string field that reaches a container.
"""

from __future__ import annotations

from pipec.ir.model import (
    Dag,
    Egress,
    Environment,
    Platform,
    Project,
    Quota,
    Resources,
    RunRef,
    Schedule,
    SecretEnv,
    SecretSource,
    Task,
    Tenant,
    Text,
)

ENVIRONMENTS = {
    "local": Environment(name="local", operator="docker", network="edge"),
    "prod": Environment(name="prod", operator="kubernetes"),
    "staging": Environment(
        name="staging",
        operator="kubernetes",
        kubernetes_conn_id="k8s_staging",
        kubernetes_version="1.31",
    ),
}

PLATFORM = Platform(
    registry="registry.localhost/etl",
    timezone="Europe/Berlin",
    start="2024-01-01",
    pull_secret="regcred",
)

MEDIUM = Resources(profile="medium", cpu="500m", memory="1Gi")
HEAVY = Resources(profile="etl_heavy", cpu="2", memory="8Gi")

HOSTILE = (
    "quote \" and ' both",
    "back\\slash \\n not a newline",
    "new\nline",
    "trailing newline\n",
    "cr\r\nlf",
    "tab\there",
    "{{ conn.x.password }}",
    "{% raw %}",
    "{% endraw %}",
    "{# comment #}",
    "a}}b{{c",
    "$(VAR)",
    "$$(VAR)",
    "${x}",
    "$",
    "ends.json",
    "ends.yaml",
    "ends.sh",
    "ends.env",
    "ends.bash",
    "unicode \u00fc\u00e9 \u2603 \U0001f600 \u4e2d\u6587",
    "[not a list]",
    " leading and trailing space ",
    "",
)


def text(*parts: str | RunRef) -> Text:
    """A Text with adjacent literal parts merged and empty ones dropped, as lowering does."""
    merged: list[str | RunRef] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Text(parts=tuple(merged))


def run(var: str) -> RunRef:
    return RunRef(var=var)  # type: ignore[arg-type]


def _tenants() -> dict[str, Tenant]:
    acme = Tenant(
        name="acme",
        db_schema="acme",
        namespace="tenant-acme",
        quota=Quota(cpu="8", memory="32Gi", pods=40),
        pool_name="acme",
        pool_slots=16,
        egress=(Egress(cidr="10.20.0.0/16", port=5432),),
        secrets=(("warehouse", SecretSource(secret_name="acme-warehouse", key="dsn")),),
        doc="ACME Corp.",
    )
    globex = Tenant(
        name="globex",
        db_schema="globex",
        namespace="tenant-globex",
        enclave="high_security",
        quota=Quota(cpu="4", memory="16Gi", pods=10),
        pool_name="globex",
        egress=(Egress(cidr="10.30.1.0/24", port=5432), Egress(cidr="192.168.7.7/32", port=443)),
        secrets=(("warehouse", SecretSource(secret_name="globex-warehouse", key="dsn")),),
    )
    initech = Tenant(
        name="initech",
        db_schema="initech",
        namespace="tenant-initech",
        quota=Quota(cpu="1", memory="2Gi", pods=5),
        pool_name="initech",
    )
    return {"acme": acme, "globex": globex, "initech": initech}


def _secret(tenant: Tenant, env_var: str = "WAREHOUSE", slot: str = "warehouse") -> SecretEnv:
    source = dict(tenant.secrets)[slot]
    return SecretEnv(
        env_var=env_var, slot=slot, source=source, connection_id=f"{tenant.name}__{slot}"
    )


def _extract(tenant: Tenant, table: str) -> Task:
    return Task(
        name=f"extract_{table}",
        layer="bronze",
        runner="postgres_extract",
        image="registry.localhost/etl/postgres-runner:0.1.0",
        entrypoint=(text("extract"),),
        args=(
            text("--table"),
            text(table),
            text("--schema"),
            text(tenant.db_schema),
            text("--since"),
            text(run("ds")),
            text("--window=", run("data_interval_start"), "..", run("data_interval_end")),
            text("--since=", run("window_start")),
            text("--until=", run("window_end")),
        ),
        env=(("LOG_LEVEL", text("info")), ("RUN_ID", text(run("run_id")))),
        secrets=(_secret(tenant),),
        resources=MEDIUM,
        queue="bronze",
        retries=2,
        timeout_seconds=7200,
        upstream=(),
        doc="Extract one table into bronze.",
    )


def _dbt(name: str, layer: str, upstream: tuple[str, ...], tenant: Tenant, **kw) -> Task:
    return Task(
        name=name,
        layer=layer,  # type: ignore[arg-type]
        runner="dbt_run",
        image="registry.localhost/etl/dbt-runner:1.8.0",
        args=(
            text("run"),
            text("--select"),
            text(name.removeprefix("fct_")),
            text("--target"),
            text(tenant.db_schema),
        ),
        secrets=(_secret(tenant, env_var="DBT_WAREHOUSE_DSN"),),
        resources=kw.pop("resources", MEDIUM),
        upstream=upstream,
        **kw,
    )


def _sales(tenant: Tenant) -> Dag:
    tables = ("customers", "orders", "payments")
    inherited = {"retries": 2, "timeout_seconds": 7200}
    tasks = [_extract(tenant, t) for t in tables]
    tasks += [
        _dbt("stg_customers", "silver", ("extract_customers",), tenant, **inherited),
        _dbt("stg_orders", "silver", ("extract_orders", "extract_payments"), tenant, **inherited),
        _dbt(
            "fct_sales",
            "gold",
            ("stg_customers", "stg_orders"),
            tenant,
            retries=3,
            timeout_seconds=10800,
            resources=HEAVY,
        ),
    ]
    return Dag(
        dag_id=f"{tenant.name}__sales",
        tenant=tenant.name,
        pipeline="sales",
        schedule=Schedule(kind="cron", value="0 6 * * *"),
        owner="data-eng",
        tags=("finance", "sales", "daily"),
        retries=2,
        retry_delay_seconds=300,
        timeout_seconds=7200,
        on_failure_emails=("oncall@example.com", "data-eng@example.com"),
        max_active_runs=2,
        catchup=True,
        publishes=f"pipec://{tenant.name}/sales",
        tasks=tuple(tasks),
        doc="Daily sales: extract, stage, publish.",
    )


def _reporting(tenant: Tenant) -> Dag:
    report = Task(
        name="build_report",
        layer="gold",
        runner="report",
        image="registry.localhost/etl/report:2.0.0",
        entrypoint=(text("python"), text("-m"), text("report")),
        args=(text("--run"), text(run("run_id")), text("--cost=$5 $(HOME)")),
        env=(("PRICE", text("$(PRICE) costs $$ and ${x}")),),
        resources=MEDIUM,
        run_as_user=20002,
    )
    return Dag(
        dag_id=f"{tenant.name}__reporting",
        tenant=tenant.name,
        pipeline="reporting",
        schedule=Schedule(
            kind="after", upstream_pipeline="sales", asset_uri=f"pipec://{tenant.name}/sales"
        ),
        tasks=(report,),
    )


def _adhoc(tenant: Tenant) -> Dag:
    backfill = Task(
        name="a_very_long_task_name_that_will_need_a_hashed_pod_name_x",
        layer="bronze",
        runner="shell",
        image="registry.localhost/etl/tools:1.0",
        args=(text("echo"), text("hello world")),
        resources=MEDIUM,
        retry_delay_seconds=60,
    )
    return Dag(
        dag_id=f"{tenant.name}__adhoc_maintenance",
        tenant=tenant.name,
        pipeline="adhoc_maintenance",
        schedule=Schedule(kind="manual"),
        paused=True,
        tasks=(backfill,),
    )


def _nightly(tenant: Tenant) -> Dag:
    vacuum = Task(
        name="vacuum",
        layer="silver",
        runner="shell",
        image="registry.localhost/etl/tools:1.0",
        entrypoint=(text("vacuum"),),
        resources=MEDIUM,
    )
    return Dag(
        dag_id=f"{tenant.name}__nightly",
        tenant=tenant.name,
        pipeline="nightly",
        schedule=Schedule(kind="preset", value="@daily"),
        tags=("ops",),
        paused=False,
        tasks=(vacuum,),
    )


def project(env: str) -> Project:
    """The realistic project compiled for ``env`` ("local", "prod" or "staging")."""
    t = _tenants()
    dags = [
        _sales(t["acme"]),
        _sales(t["globex"]),
        _reporting(t["acme"]),
        _reporting(t["globex"]),
        _adhoc(t["globex"]),
        _nightly(t["acme"]),
    ]
    return Project(
        environment=ENVIRONMENTS[env],
        platform=PLATFORM,
        tenants=tuple(sorted(t.values(), key=lambda x: x.name)),
        dags=tuple(sorted(dags, key=lambda d: d.dag_id)),
    )


HOSTILE_RUN_PARTS = (run("ds"), run("run_id"), run("logical_date"))


def hostile_texts() -> list[Text]:
    """Every hostile string alone, and mixed with runtime values before, between and after."""
    texts = [text(s) for s in HOSTILE]
    for i, s in enumerate(HOSTILE):
        ref = HOSTILE_RUN_PARTS[i % len(HOSTILE_RUN_PARTS)]
        texts += [text(s, ref), text(ref, s), text(s, ref, s), text(ref, s, ref)]
    return texts


def hostile_project(env: str) -> Project:
    """One DAG whose tasks carry the hostile corpus in args, env values and entrypoint."""
    tenant = _tenants()["acme"]
    texts = hostile_texts()
    tasks = []
    for i in range(0, len(texts), 8):
        chunk = texts[i : i + 8]
        tasks.append(
            Task(
                name=f"hostile_{i // 8:02d}",
                layer="bronze",
                runner="hostile",
                image="registry.localhost/etl/hostile:1.0",
                entrypoint=tuple(text(s) for s in HOSTILE if s)[:3] if i == 0 else (),
                args=tuple(chunk),
                env=tuple(sorted((f"VAR_{j}", t) for j, t in enumerate(chunk))),
                secrets=(_secret(tenant),),
                resources=MEDIUM,
            )
        )
    statics = Task(
        name="hostile_static",
        layer="silver",
        runner="hostile",
        image="registry.localhost/etl/hostile:{{ ds }}.sh",
        entrypoint=tuple(text(s) for s in HOSTILE),
        args=tuple(text(s) for s in HOSTILE),
        env=tuple(sorted((f"S_{j:02d}", text(s)) for j, s in enumerate(HOSTILE))),
        resources=MEDIUM,
        upstream=tuple(t.name for t in tasks),
    )
    # A task named like a layer must not clash with the layer's TaskGroup.
    silver = Task(
        name="silver",
        layer="bronze",
        runner="hostile",
        image="registry.localhost/etl/hostile:1.0",
        resources=MEDIUM,
        doc="task doc naming a file: notes.md",
    )
    tasks.append(silver)
    dag = Dag(
        dag_id="acme__hostile",
        tenant="acme",
        pipeline="hostile",
        schedule=Schedule(kind="cron", value="0 1 * * *"),
        tags=("{{ conn.x.password }}", "x.json"),
        on_failure_emails=("{{ conn.x.password }}@example.com",),
        tasks=(*tasks, statics),
        doc='Doc with """ quotes """ and {{ jinja }} and\nnewlines \\ backslash, see /etc/os-release.md',
    )
    # A pipeline without tasks still gives a valid (empty) DAG.
    empty = Dag(
        dag_id="acme__empty", tenant="acme", pipeline="empty", schedule=Schedule(kind="manual")
    )
    return Project(
        environment=ENVIRONMENTS[env], platform=PLATFORM, tenants=(tenant,), dags=(empty, dag)
    )


# Golden cases: name -> builder. Their expected output trees live in
# tests/codegen/golden/<case>/<env>/.
CASES = {"realistic": project, "hostile": hostile_project}
GOLDEN_ENVS = ("local", "prod")

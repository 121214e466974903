"""Tenancy checks across tenants: namespaces and schemas are unique, and no tenant
takes a namespace or pool that belongs to Kubernetes or Airflow.

Secret slots and cross-tenant references are checked per task while instantiating
(``pipec.ir.instantiate``, ``pipec.ir.values``); quota fit by ``check_quotas`` below,
over the placements instantiation records, run by ``pipec.driver``.
"""

from __future__ import annotations

from functools import lru_cache

from pipec import quantity
from pipec.diagnostics import Label, Sink
from pipec.ir.decls import Defs, TenantDef
from pipec.ir.instantiate import Placement
from pipec.ir.specs import PLATFORM_DEFAULTS
from pipec.source import Span



def check_tenant_collisions(defs: Defs, sink: Sink) -> None:
    for key, what in (("namespace", "namespace"), ("schema", "schema")):
        seen: dict[str, str] = {}
        for name in sorted(defs.tenants, key=lambda t: defs.tenants[t].decl.span):
            tenant = defs.tenants[name]
            value = tenant.read.get(key)
            if not isinstance(value, str):
                continue
            if value in seen:
                other = defs.tenants[seen[value]]
                sink.emit("E404", f"tenants `{other.name}` and `{name}` share the {what} `{value}`",
                          tenant.read.spans[key], label=f"same {what}",
                          secondary=[Label(other.read.spans[key], f"used by `{other.name}`")],
                          help=f"each tenant needs its own {what}")
            else:
                seen[value] = name


RESERVED_NAMESPACES = ("default",)  # and every `kube-*` namespace
RESERVED_POOLS = ("default_pool",)  # Airflow's shared pool; a tenant's pool is named after the tenant


def check_tenant_isolation(defs: Defs, sink: Sink) -> None:
    """E405 system namespaces, E406 Airflow's namespace, E407 Airflow's default pool."""
    airflow_ns, airflow_span = _airflow_namespace(defs)
    for name in sorted(defs.tenants, key=lambda t: defs.tenants[t].decl.span):
        tenant = defs.tenants[name]
        if name in RESERVED_POOLS:
            sink.emit("E407", f"tenant `{name}` would resize Airflow's shared pool `{name}`", tenant.decl.name.span,
                      label="the tenant's pool has the tenant's name",
                      help="each tenant gets an Airflow pool named after it; rename the tenant")
        namespace = tenant.read.get("namespace")
        if not isinstance(namespace, str):
            continue
        span = tenant.read.spans["namespace"]
        if namespace in RESERVED_NAMESPACES or namespace.startswith("kube-"):
            sink.emit("E405", f"`{namespace}` is a Kubernetes system namespace", span,
                      label="reserved namespace",
                      help=f"give tenant `{name}` a namespace of its own, e.g. \"tenant-{name.replace('_', '-')}\"")
        elif namespace == airflow_ns:
            secondary = [Label(airflow_span, "Airflow's namespace")] if airflow_span is not None else []
            sink.emit("E406", f"tenant `{name}` runs in Airflow's own namespace `{namespace}`", span,
                      label="the platform's `airflow_namespace`", secondary=secondary,
                      help="a task pod there could read Airflow's Secrets; give the tenant a namespace of its own")


def _airflow_namespace(defs: Defs) -> tuple[str | None, Span | None]:
    read = defs.platform
    value = read.get("airflow_namespace") if read is not None else None
    if isinstance(value, str):
        return value, read.spans.get("airflow_namespace")
    if read is not None and "airflow_namespace" in read.spans:
        return None, None  # set but invalid: reported where it is set
    return PLATFORM_DEFAULTS["airflow_namespace"], None


def check_quotas(placements: list[Placement], sink: Sink) -> None:
    """E403: one pod (requests = limits) must fit in its tenant's whole quota."""
    for placed in placements:
        _check_quota(sink, placed.tenant, placed.task, placed.profile, placed.cpu, placed.memory, placed.span)


def _check_quota(sink: Sink, tenant: TenantDef, task: str, profile: str, cpu: str, memory: str, span: Span) -> None:
    quota = tenant.read.get("quota")
    if not isinstance(quota, dict):
        return
    over = [(what, asked) for what, asked in (("cpu", cpu), ("memory", memory)) if _exceeds(asked, quota[what])]
    if not over:
        return
    asks = " and ".join(f"{what} {asked}" for what, asked in over)
    has = " and ".join(f"{what} {quota[what]}" for what, _ in over)
    sink.emit("E403", f"task `{task}` asks for {asks} but tenant `{tenant.name}` has a quota of {has}", span,
              label=f"profile `{profile}`", secondary=[Label(tenant.read.spans["quota"], "quota set here")],
              help="use a smaller profile for this tenant's environment, or raise the quota")


@lru_cache(maxsize=1024)
def _exceeds(asked: str, limit: str) -> bool:
    """``asked > limit`` as quantities; memoised, as thousands of pods ask for the few sizes of their profiles."""
    return quantity.parse(asked) > quantity.parse(limit)

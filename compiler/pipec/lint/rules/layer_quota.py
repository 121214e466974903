"""W115 layer-exceeds-quota: the tasks of a layer that start together do not fit the tenant quota.

The tasks of a layer with no upstream task in the same layer can all run at
once: with the layer order checked (E302) a path between two tasks of one layer
stays inside that layer, so no two of them wait for each other. At most
``pool`` of them run at once, so the largest ``pool`` requests are summed.
"""

from __future__ import annotations

from fractions import Fraction

from pipec.quantity import parse as quantity
from pipec.diagnostics import Label, Sink
from pipec.ir import model as ir
from pipec.lint.context import LintContext

CODE = "W115"


def check(ctx: LintContext, sink: Sink) -> None:
    kubernetes = set(ctx.kubernetes_envs)
    for env, dag in ctx.env_dags():
        if env in kubernetes:
            ctx.memo(ctx.dag_key(CODE, dag), sink, lambda out: _dag(ctx, env, dag, out))


def _dag(ctx: LintContext, env: str, dag: ir.Dag, sink: Sink) -> None:
    tenant = ctx.defs.tenants[dag.tenant]
    quota = tenant.read.get("quota")
    if not isinstance(quota, dict):
        return
    for layer in ir.LAYERS:
        wave = [t for t in dag.tasks if t.layer == layer
                and not any(u.layer == layer for u in dag.tasks if u.name in t.upstream)]
        _wave(ctx, env, dag, layer, wave, quota, tenant, sink)


def _wave(ctx: LintContext, env: str, dag: ir.Dag, layer: str, wave, quota: dict, tenant, sink: Sink) -> None:
    slots = tenant.read.get("pool", 8)
    over = []
    for what in ("cpu", "memory"):
        asks = sorted((quantity(getattr(t.resources, what)) for t in wave), reverse=True)[:slots]
        if sum(asks, Fraction(0)) > quantity(quota[what]):
            over.append(f"{what} {_show(sum(asks, Fraction(0)), what)} (quota {quota[what]})")
    if min(len(wave), slots) > quota["pods"]:
        over.append(f"{min(len(wave), slots)} pods (quota {quota['pods']})")
    pipe = ctx.defs.pipelines[dag.pipeline]
    if not over or not ctx.is_user(pipe.decl.span):
        return
    names = ", ".join(sorted(t.name for t in wave))
    sink.emit(CODE, f"the {len(wave)} `{layer}` tasks of `{pipe.name}` that start together ask for "
              f"{' and '.join(over)} of tenant `{tenant.name}` in environment `{env}`",
              ctx.layer_span(pipe, layer), label="these tasks can run at the same time",
              secondary=[Label(tenant.read.spans["quota"], "quota set here")],
              notes=[f"tasks starting together: {names}; at most {slots} run at once (`pool`)"],
              help="raise the tenant's quota, use smaller profiles, make some tasks run `after` others, "
                   "or lower the tenant's `pool`")


def _show(value: Fraction, what: str) -> str:
    if what == "memory":
        for unit, size in (("Gi", 2**30), ("Mi", 2**20)):
            if value % size == 0:
                return f"{int(value / size)}{unit}"
        return str(int(value))
    return f"{int(value * 1000)}m" if value.denominator != 1 else str(int(value))

"""Tenancy checks across tenants: namespaces and schemas are unique.

Secret slots, cross-tenant references and quota fit are checked per task while
instantiating (``pipec.ir.instantiate``, ``pipec.ir.values``), and quota in
``check_quota`` below, called from there.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipec.diagnostics import Label, Sink
from pipec.ir.decls import Defs, TenantDef
from pipec.source import Span

_SUFFIX = {"": 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
           "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


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


_QTY = re.compile(r"^\+?([0-9]*\.?[0-9]+|[0-9]+\.)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")


def quantity(text: str) -> Decimal:
    """The value of a Kubernetes quantity (already validated by ``ir.values.QUANTITY``)."""
    m = _QTY.match(text)
    if m is None:
        raise ValueError(f"not a quantity: {text}")
    number, suffix = Decimal(m.group(1)), m.group(2) or ""
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIX[suffix]


def check_quota(sink: Sink, tenant: TenantDef, task: str, profile: str, cpu: str, memory: str, span: Span) -> None:
    """One pod (requests = limits) must fit in the tenant's whole quota."""
    quota = tenant.read.get("quota")
    if not isinstance(quota, dict):
        return
    over = [(what, asked) for what, asked in (("cpu", cpu), ("memory", memory))
            if quantity(asked) > quantity(quota[what])]
    if not over:
        return
    asks = " and ".join(f"{what} {asked}" for what, asked in over)
    has = " and ".join(f"{what} {quota[what]}" for what, _ in over)
    sink.emit("E403", f"task `{task}` asks for {asks} but tenant `{tenant.name}` has a quota of {has}", span,
              label=f"profile `{profile}`", secondary=[Label(tenant.read.spans["quota"], "quota set here")],
              help="use a smaller profile for this tenant's environment, or raise the quota")

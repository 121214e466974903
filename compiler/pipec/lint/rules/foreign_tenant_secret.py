"""W105 foreign-tenant-secret: a tenant's Secret is named after another tenant."""

from __future__ import annotations

import re

from pipec.diagnostics import Label, Sink
from pipec.ir.decls import TenantDef
from pipec.lint.context import LintContext
from pipec.syntax import nodes as n

CODE = "W105"


def check(ctx: LintContext, sink: Sink) -> None:
    tenants = [ctx.defs.tenants[t] for t in sorted(ctx.defs.tenants)]
    for tenant in tenants:
        if not ctx.is_user(tenant.decl.span):
            continue
        for entry in tenant.decl.block.entries:
            if isinstance(entry, n.SecretDecl):
                _secret(tenant, entry, tenants, sink)


def _words(text: str) -> str:
    return "-" + re.sub(r"[._]", "-", text) + "-"


def _secret(tenant: TenantDef, sec: n.SecretDecl, tenants: list[TenantDef], sink: Sink) -> None:
    value = next((a.value for a in sec.call.args if a.name is None or a.name.text == "name"), None)
    found = tenant.secrets.get(sec.slot.text)
    if not isinstance(value, n.Str) or found is None:
        return
    name = _words(found[0])
    if _words(tenant.name) in name:
        return
    for other in tenants:
        if other is not tenant and _words(other.name) in name:
            own = f"{tenant.name}-{sec.slot.text}".replace("_", "-")
            sink.emit(CODE, f"secret `{found[0]}` of tenant `{tenant.name}` is named after tenant `{other.name}`",
                      value.span, label=f"`{other.name}`'s secret?",
                      secondary=[Label(other.decl.name.span, f"tenant `{other.name}` declared here")],
                      help=f"`{tenant.name}`'s pods read Secrets in its own namespace: use a Secret of "
                           f"`{tenant.name}`'s, e.g. \"{own}\"")
            return

"""Checks over definitions (spec section 4), run in order from one tuple.

Each check is a plain function ``(defs, sink) -> None`` in its own module. Checks
that need instantiated tasks (secrets, quota, runtime values) run while
instantiating, in ``pipec.ir.instantiate``, where the spans are at hand.
"""

from pipec.check.graph import check_layers_and_cycles, check_pipeline_schedule
from pipec.check.naming import check_names
from pipec.check.tenancy import check_tenant_collisions, check_tenant_isolation

CHECKS = (
    check_names,
    check_tenant_collisions,
    check_tenant_isolation,
    check_layers_and_cycles,
    check_pipeline_schedule,
)

__all__ = ["CHECKS"]

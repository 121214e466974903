"""Kubernetes quantities ("500m", "2Gi") as numbers, for DockerOperator's cpus and mem_limit."""

from __future__ import annotations

import math

from pipec.quantity import parse


def cpus(quantity: str) -> float:
    """CPU cores as DockerOperator's ``cpus`` float ("500m" -> 0.5)."""
    return float(parse(quantity))


def memory_bytes(quantity: str) -> int:
    """Memory in whole bytes, rounded up, for DockerOperator's ``mem_limit``."""
    return math.ceil(parse(quantity))

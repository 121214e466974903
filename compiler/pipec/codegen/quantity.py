"""Kubernetes quantities ("500m", "2Gi") as numbers, for DockerOperator's cpus and mem_limit."""

from __future__ import annotations

import math
import re
from fractions import Fraction

_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse(quantity: str) -> Fraction:
    """The exact value of a Kubernetes quantity (compiler bug if it is malformed)."""
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"internal error: not a Kubernetes quantity: {quantity!r}")
    number, suffix = Fraction(match.group(1)), match.group(2) or ""
    if suffix in _BINARY:
        return number * 1024 ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * Fraction(10) ** _DECIMAL[suffix]
    if suffix:
        return number * Fraction(10) ** int(suffix[1:])
    return number


def cpus(quantity: str) -> float:
    """CPU cores as DockerOperator's ``cpus`` float ("500m" -> 0.5)."""
    return float(parse(quantity))


def memory_bytes(quantity: str) -> int:
    """Memory in whole bytes, rounded up, for DockerOperator's ``mem_limit``."""
    return math.ceil(parse(quantity))

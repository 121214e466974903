"""The one Kubernetes quantity parser ("500m", "2Gi", "1.5e3"), used by every stage.

The grammar is apimachinery's (``resource.Quantity``): an optionally signed decimal
number of ASCII digits, then a binary suffix (Ki..Ei), a decimal suffix (n u m k M
G T P E) or a decimal exponent (``e``/``E`` and a signed integer). Values are exact
fractions. Kubernetes stores a quantity as a 64-bit integer at nano scale or
above, so pipec accepts magnitudes from 1n to 2^63-1 and exponents that keep the
work bounded: ``1e999999999`` is refused before it is computed.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

MAX_TEXT = 64  # characters; longer text is not a quantity anyone means
MAX_VALUE = Fraction(2**63 - 1)
MIN_STEP = Fraction(1, 10**9)  # 1n: Kubernetes cannot represent anything finer

_GRAMMAR = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<decimal>[numkMGTPE]))?"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MAX_EXPONENT = 40  # beyond this any nonzero value is out of range (number has at most MAX_TEXT digits)


class QuantityError(ValueError):
    """Why a text is not a usable quantity; ``kind`` is ``syntax`` or ``range``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_quantity(text: str) -> bool:
    """True when ``text`` follows the Kubernetes quantity grammar exactly."""
    return len(text) <= MAX_TEXT and _GRAMMAR.fullmatch(text) is not None


@lru_cache(maxsize=4096)
def parse(text: str) -> Fraction:
    """The exact value of a quantity; QuantityError when it is malformed or out of range.

    Memoised: a project repeats a few texts thousands of times (each task's
    resources, checked against its tenant's quota, per environment); a Fraction
    is immutable, and an error is not cached but raised again on every call.
    """
    match = _GRAMMAR.fullmatch(text) if len(text) <= MAX_TEXT else None
    if match is None:
        raise QuantityError("syntax", f"`{text}` is not a Kubernetes quantity")
    number = Fraction(match["number"])
    exponent = _exponent(match)
    if number == 0:
        return Fraction(0)
    if abs(exponent) > _MAX_EXPONENT:
        raise QuantityError("range", f"`{text}` is out of range")
    value = number * Fraction(10) ** exponent if match["binary"] is None else number * 1024 ** _BINARY[match["binary"]]
    if abs(value) > MAX_VALUE or (value / MIN_STEP).denominator != 1:
        raise QuantityError("range", f"`{text}` is out of range")
    return value


def _exponent(match: re.Match) -> int:
    if match["exp"] is not None:
        digits = match["exp"][1:].lstrip("+-").lstrip("0") or "0"
        if len(digits) > 4:  # keeps int() cheap; the size is refused by the caller
            return _MAX_EXPONENT + 1
        return int(match["exp"][1:])
    return _DECIMAL.get(match["decimal"] or "", 0)

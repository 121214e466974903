"""One Kubernetes quantity parser (``pipec.quantity``) for check, quota and codegen,
compared with the Kubernetes client's ``kubernetes.utils.parse_quantity``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kubernetes.utils import parse_quantity

from hardening_support import check_json, codes, variant
from pipec import quantity
from pipec.codegen import quantity as docker_numbers

SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
NUMBERS = st.one_of(st.integers(0, 10**6).map(str),
                    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 9999), st.integers(0, 9999)),
                    st.integers(0, 999).map(lambda i: f".{i}"), st.integers(0, 999).map(lambda i: f"{i}."))


@given(number=NUMBERS, suffix=st.sampled_from(SUFFIXES + ["e3", "E-2", "e+6", "e0"]))
def test_accepted_quantities_have_the_kubernetes_value(number: str, suffix: str) -> None:
    text = number + suffix
    try:
        ours = quantity.parse(text)
    except quantity.QuantityError as err:
        assert err.kind == "range", text  # well formed, only ever refused for its size or precision
        return
    theirs = parse_quantity(text)
    assert Decimal(ours.numerator) / Decimal(ours.denominator) == theirs, text


@given(text=st.text(alphabet=st.sampled_from("0123456789.+-eEkKmMGiun \n٣"), max_size=8))
def test_grammar_agrees_with_kubernetes_on_what_it_accepts(text: str) -> None:
    if quantity.is_quantity(text):
        parse_quantity(text)  # accepted by the Kubernetes client too


@pytest.mark.parametrize("text", ["1e999999999", "1e400", "1e-400", "9Ei", "10E", "1e19", "0.1n", "1" * 65])
def test_out_of_range_quantities_are_refused_without_computing_them(text: str) -> None:
    with pytest.raises(quantity.QuantityError):
        quantity.parse(text)


@pytest.mark.parametrize("text", ["Infinity", "NaN", "1_000", " 1", "1\n", "٣", "1ki", "1K", "--1"])
def test_python_number_spellings_are_not_quantities(text: str) -> None:
    assert not quantity.is_quantity(text)


@pytest.mark.parametrize("text,value", [("500m", Fraction(1, 2)), ("1e3", Fraction(1000)), ("2Gi", Fraction(2**31)),
                                        ("7Ei", Fraction(7 * 2**60)), ("1n", Fraction(1, 10**9)), ("0e999999999", 0)])
def test_values(text: str, value: Fraction) -> None:
    assert quantity.parse(text) == value


@pytest.mark.parametrize("text", ["1e999999999", "1e400", "9Ei"])
@pytest.mark.parametrize("where", ['quota     = { cpu = "4"', 'memory = "16Gi", pods'])
def test_huge_quantity_is_E212_in_check(tmp_path: Path, text: str, where: str) -> None:
    new = where.replace('"4"', f'"{text}"').replace('"16Gi"', f'"{text}"')
    rc, diags = check_json(tmp_path, variant(where, new))
    assert rc == 1 and codes(diags) == ["E212"]


@pytest.mark.parametrize("text", ["0", "0m", "0Gi", "-1", "0e5"])
def test_zero_or_negative_resource_is_E213(tmp_path: Path, text: str) -> None:
    rc, diags = check_json(tmp_path, variant('memory = "16Gi"', f'memory = "{text}"'))
    assert rc == 1 and codes(diags) == ["E213"]


def test_docker_numbers_use_the_same_parser() -> None:
    assert docker_numbers.cpus("1e-1") == 0.1
    assert docker_numbers.memory_bytes("1e3") == 1000


@pytest.mark.parametrize("text", ["1e999999999", "12x", "1" * 70])
def test_the_memoised_parser_raises_on_every_call_not_only_the_first(text: str) -> None:
    for _ in range(3):
        with pytest.raises(quantity.QuantityError):
            quantity.parse(text)


@given(number=NUMBERS, suffix=st.sampled_from(SUFFIXES))
def test_the_memoised_parser_returns_the_same_value_as_a_fresh_parse(number: str, suffix: str) -> None:
    text = number + suffix
    try:
        fresh = quantity.parse.__wrapped__(text)
    except quantity.QuantityError:
        return
    assert quantity.parse(text) == fresh and quantity.parse(text) == fresh

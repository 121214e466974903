"""Pod YAML reads back as the same strings in YAML 1.1 and 1.2 readers.

Readers: PyYAML (YAML 1.1; its pure and libyaml loaders) and ruamel.yaml in
YAML 1.2 and in YAML 1.1 mode. Writers: ``pipec.codegen.yamlout`` as it is
(pure-Python emitter) and the same representer on libyaml's ``CSafeDumper``.
A Hypothesis property over arbitrary strings, as keys and values, plus the
strings that read back as bool, number, null or a space before quoting was fixed.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pipec.codegen import yamlout

SCALE = float(os.environ.get("PIPEC_FUZZ_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))

KNOWN = ["y", "Y", "n", "N", "yes", "No", "off", "ON", "true", "0o17", "0O17", "1e3", "1E3", "+1e3", "-1.5e3",
         "1.5e-3", ".5e3", "0x1f", "0b101", "1_000", "1_0.5", ".inf", "-.Inf", "inf", "NaN", ".nan", "~", "null",
         "=", "<<", "2001-12-14", "2001-1-1", "2001-12-14t21:59:43.10-05:00", "190:20:30", "0777", "12",
         "-_", "._", "_", "a\x85b", "a\u2028b", "a\u2029b", "\x85", "line\nbreak", " lead", "trail ", "#", "- x",
         "a: b", "'quoted'", '"dq"', "\ufeffbom", "tab\there", "\t", "", "0.1.0", "500m", "16Gi"]


def _ruamel(version: tuple[int, int] | None):
    def load(text: str) -> Any:
        reader = YAML(typ="safe", pure=True)
        if version:
            reader.version = version
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel warns about 1.1 floats without a dot
            return reader.load(io.StringIO(text))
    return load


READERS = {
    "pyyaml-1.1": lambda text: yaml.load(text, Loader=yaml.SafeLoader),
    "ruamel-1.2": _ruamel(None),
    "ruamel-1.1": _ruamel((1, 1)),
}
if getattr(yaml, "CSafeLoader", None):
    READERS["pyyaml-libyaml"] = lambda text: yaml.load(text, Loader=yaml.CSafeLoader)


class _CDumper(yaml.CSafeDumper if getattr(yaml, "CSafeDumper", None) else yaml.SafeDumper):
    pass


_CDumper.add_representer(str, yamlout.represent_str)


def _dump_with_libyaml(document: Any) -> bytes:
    if not getattr(yaml, "CSafeDumper", None):
        pytest.skip("PyYAML was built without libyaml")
    return yaml.dump(document, Dumper=_CDumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=2**31 - 1).encode("utf-8")


WRITERS = {"pipec": yamlout.dump, "libyaml": _dump_with_libyaml}


def _assert_reads_back(value: str, writer: str) -> None:
    document = {"value": value, value: "key", "list": [value], "nested": {"env": [{"name": "X", "value": value}]}}
    text = WRITERS[writer](document).decode("utf-8")
    for name, load in READERS.items():
        assert load(text) == document, f"{name} read {text!r}"


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("value", KNOWN)
def test_known_ambiguous_strings_read_back(value: str, writer: str) -> None:
    _assert_reads_back(value, writer)


@pytest.mark.parametrize("writer", WRITERS)
@given(value=st.text(max_size=40))
@example(value="y")
@example(value="1e3")
@example(value="a\x85b")
def test_any_string_reads_back_in_every_reader(writer: str, value: str) -> None:
    _assert_reads_back(value, writer)


@settings(max_examples=examples(300))
@given(value=st.text(alphabet=st.sampled_from("0123456789eE+-._xXoObB:yYnN~= tTZ"), max_size=12))
def test_number_like_strings_read_back(value: str) -> None:
    _assert_reads_back(value, "pipec")


def test_plain_strings_stay_plain() -> None:
    # Quoting changes only where a reader would disagree: names, images and quantities stay plain.
    assert yamlout.dump({"image": "registry.localhost/etl/x:0.1.0", "cpu": "500m", "v": "0.1.0"}) == \
        b"cpu: 500m\nimage: registry.localhost/etl/x:0.1.0\nv: 0.1.0\n"

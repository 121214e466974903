"""libyaml (CSafeDumper) and the pure-Python emitter write the same bytes for every document.

``yamlout.dump_all`` takes libyaml only for documents ``libyaml_safe`` accepts;
these tests hold that promise against the pure emitter on random data, on long
keys near libyaml's simple-key limit, and on every YAML file of the goldens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen import yamlout

GOLDEN = Path(__file__).parent / "golden"
TRICKY = ["y", "N", "0o17", "+1.5E3", "0b1_0", "1_000", "2024-1-2", "yes", "No", "~", "null", "1.0", "0x1F", "-", "- a", "a: b", "#x", "[a]", "{a}", "&a", "*a", "!a",
          "|", ">", "%a", "@a", "`a", '"a"', "'a'", " a", "a ", "2024-01-01", "1e3", ".inf", "? a", "",
          "a\nb", "\r", "\u2028", "\x85", "\ufeff", "\U0001f600", "caf\u00e9", "\t"]

text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30),
                 st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
scalars = st.one_of(text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(text, inner, max_size=4)),
                         max_leaves=30)


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML without libyaml")
@settings(max_examples=400)
@given(st.lists(st.dictionaries(text, documents, max_size=5), min_size=1, max_size=3))
def test_libyaml_and_pure_emitters_agree(docs):
    assert yamlout.dump_all(docs) == yamlout.dump_all(docs, pure=True)


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML without libyaml")
def test_long_keys_around_the_simple_key_limit_agree():
    for n in range(1, 300):
        for key in ("a" * n, "a b" * (n // 3), "'a" * (n // 2)):
            doc = {key: {key: [key, {key: 1}]}}
            assert yamlout.dump(doc) == yamlout.dump_all([doc], pure=True), n


def test_safe_documents_are_printable_ascii_with_short_keys():
    assert yamlout.libyaml_safe({"a": ["b", 1, True, None, 1.5, {"c": "d e"}]})
    assert not yamlout.libyaml_safe({"a": "caf\u00e9"})
    assert not yamlout.libyaml_safe({"a": ["b\nc"]})
    assert not yamlout.libyaml_safe({"k" * 64: 1})
    assert not yamlout.libyaml_safe({1: "a"})
    assert not yamlout.libyaml_safe({"": "a"})


@pytest.mark.parametrize("path", sorted(GOLDEN.rglob("*.yaml")), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden_yaml_is_what_both_emitters_write(path):
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert yamlout.dump_all(docs) == path.read_bytes()
    assert yamlout.dump_all(docs, pure=True) == path.read_bytes()

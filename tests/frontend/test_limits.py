"""Inputs that crashed pipec or made it work without bound (issue 7): each is now a
coded diagnostic with exit 1, and the documented limits (pipec.limits) hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_support import invoke
from hardening_support import BASE, check_json, codes, variant
from pipec import limits

OK_BLOCK = 'schedule = "@daily"'


def test_a_5000_digit_integer_is_E214(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant("pods = 10", "pods = " + "9" * 5000))
    assert rc == 1 and codes(diags) == ["E214"]
    assert (diags[0]["line"], diags[0]["column"]) == (15, 52)


def test_the_largest_integer_is_accepted(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant("pods = 10", f"pods = {2**63 - 1}"))
    assert rc == 0, diags


@pytest.mark.parametrize("duration", ["9" * 5000 + "d", "99999999999999d", f"{2**63 - 1}s"])
def test_a_duration_beyond_timedelta_is_E215(tmp_path: Path, duration: str) -> None:
    rc, diags = check_json(tmp_path, variant(OK_BLOCK, f"{OK_BLOCK}\n  retry_delay = {duration}"))
    assert rc == 1 and codes(diags) in (["E214"], ["E215"]), diags


def test_nesting_1000_deep_is_E709(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant(OK_BLOCK, f"{OK_BLOCK}\n  tags = " + "[" * 1000 + "]" * 1000))
    assert rc == 1 and codes(diags) == ["E709"]
    assert diags[0]["column"] == 10 + limits.MAX_NESTING - 1  # the pipeline's `{` is open too


def test_nesting_at_the_limit_is_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * (limits.MAX_NESTING - 1) + '"x"' + "]" * (limits.MAX_NESTING - 1)
    rc, diags = check_json(tmp_path, variant(OK_BLOCK, f"{OK_BLOCK}\n  tags = {deep}"))
    assert rc == 1 and "E709" not in codes(diags)


def test_a_string_over_the_limit_is_E710(tmp_path: Path) -> None:
    long = "x" * (limits.MAX_STRING + 1)
    rc, diags = check_json(tmp_path, variant('"stg_orders")', f'"{long}")'))
    assert rc == 1 and codes(diags) == ["E710"]


def test_a_file_over_the_limit_is_E707(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, BASE + "#" * limits.MAX_FILE_BYTES + "\n")
    assert rc == 1 and codes(diags) == ["E707"]


def test_an_imported_file_over_the_limit_is_E707(tmp_path: Path) -> None:
    (tmp_path / "big.pipe").write_text("#" * (limits.MAX_FILE_BYTES + 1), encoding="utf-8")
    rc, diags = check_json(tmp_path, 'import "./big.pipe"\n' + BASE)
    assert rc == 1 and codes(diags) == ["E707"] and diags[0]["line"] == 1


def test_three_nested_loops_stop_at_the_task_limit(tmp_path: Path) -> None:
    items = "[" + ", ".join(f'"v{i}"' for i in range(100)) + "]"
    loops = (f"    for a in {items} {{\n      for b in {items} {{\n        for c in {items} {{\n"
             '          task t_${a}_${b}_${c} = dbt_run(select = "x")\n        }\n      }\n    }\n')
    rc, diags = check_json(tmp_path, variant('    task stg_orders = dbt_run(select = "stg_orders")\n', loops))
    assert rc == 1 and codes(diags) == ["E711"]


def test_a_nul_in_an_import_path_is_E101(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, 'import "./a\\u{0}.pipe"\n' + BASE)
    assert rc == 1 and codes(diags) == ["E101"]


@pytest.mark.parametrize("name", ["a" * 300 + ".pipe", "x/" * 3000 + "a.pipe"])
def test_an_import_path_the_os_refuses_is_E101(tmp_path: Path, name: str) -> None:
    rc, diags = check_json(tmp_path, f'import "./{name}"\n' + BASE)
    assert rc == 1 and codes(diags) == ["E101"]


def test_dev_zero_as_an_entry_is_E704(tmp_path: Path) -> None:
    out = invoke(["check", "/dev/zero"], tmp_path)
    assert out.exit_code == 1 and "error[E704]" in out.stdout and "not a regular file" in out.stdout


def test_a_fifo_as_an_entry_is_E704_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.pipe")
    proc = subprocess.run([sys.executable, "-m", "pipec", "check", "fifo.pipe"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "error[E704]" in proc.stdout


def test_a_fifo_as_an_import_is_E101(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.pipe")
    rc, diags = check_json(tmp_path, 'import "./fifo.pipe"\n' + BASE)
    assert rc == 1 and codes(diags) == ["E101"]


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    out = invoke(["check", "main.pipe"], tmp_path)
    assert out.exit_code == 0, out.stdout


def test_fmt_accepts_a_utf8_bom_and_drops_it(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    (tmp_path / "plain.pipe").write_bytes(BASE.encode())
    out = invoke(["fmt", "main.pipe", "plain.pipe"], tmp_path)
    assert out.exit_code == 0, out.stdout + out.stderr
    assert (tmp_path / "main.pipe").read_bytes() == (tmp_path / "plain.pipe").read_bytes()


def test_an_import_chain_500_files_deep_checks(tmp_path: Path) -> None:
    for i in range(500):
        (tmp_path / f"m{i}.pipe").write_text(f'import "./m{i + 1}.pipe"\n' if i < 499 else
                                             'profile deep { cpu = "1", memory = "1Gi" }\n', encoding="utf-8")
    rc, diags = check_json(tmp_path, 'import "./m0.pipe"\n' + BASE)
    assert rc == 0 and codes(diags) == [], diags


def test_an_import_chain_500_files_deep_reports_an_error_at_its_end(tmp_path: Path) -> None:
    for i in range(500):
        (tmp_path / f"m{i}.pipe").write_text(f'import "./m{i + 1}.pipe"\n' if i < 499 else
                                             'profile deep { cpu = "0", memory = "1Gi" }\n', encoding="utf-8")
    rc, diags = check_json(tmp_path, 'import "./m0.pipe"\n' + BASE)
    assert rc == 1 and codes(diags) == ["E213"] and diags[0]["file"] == "m499.pipe"

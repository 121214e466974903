"""publish(): atomic writes, manifest, stale removal, foreign files, check mode."""

from __future__ import annotations

import json
import os
from pathlib import Path
from unittest import mock

import pytest

from pipec.outfolder import LOCK
from pipec.publish import MANIFEST, PublishError, manifest_bytes, publish, sha256

FILES = {
    "acme/dags/acme__sales.py": b"dag = 1\n",
    "acme/pools.json": b"{}\n",
    "acme/k8s/pods/sales.a.yaml": b"kind: Pod\n",
}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != LOCK}


def test_first_publish_writes_files_and_manifest(tmp_path: Path) -> None:
    result = publish(tmp_path, "prod", FILES)
    assert sorted(result.written) == sorted([*FILES, MANIFEST])
    assert _tree(tmp_path / "prod") == {**FILES, MANIFEST: manifest_bytes(FILES)}
    listing = json.loads((tmp_path / "prod" / MANIFEST).read_text())["files"]
    assert listing == {p: sha256(d) for p, d in FILES.items()}
    assert list(listing) == sorted(listing)


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    target = tmp_path / "prod" / "acme/pools.json"
    before = target.stat().st_ino, target.stat().st_mtime_ns
    changed = {**FILES, "acme/dags/acme__sales.py": b"dag = 2\n"}
    result = publish(tmp_path, "prod", changed)
    assert result.written == ("acme/dags/acme__sales.py", MANIFEST)
    assert "acme/pools.json" in result.unchanged
    assert (target.stat().st_ino, target.stat().st_mtime_ns) == before


def test_writes_are_atomic_replacements_in_the_same_directory(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((Path(src), Path(dst)))
        if Path(dst).name == "acme__sales.py":  # the old file is intact until the swap
            assert Path(dst).read_bytes() == b"dag = 1\n"
        real_replace(src, dst)

    with mock.patch("pipec.publish.os.replace", side_effect=spy):
        publish(tmp_path, "prod", {**FILES, "acme/dags/acme__sales.py": b"dag = 3\n"})
    dag_calls = [(s, d) for s, d in calls if d.name == "acme__sales.py"]
    assert len(dag_calls) == 1 and dag_calls[0][0].parent == dag_calls[0][1].parent
    assert not list((tmp_path / "prod").rglob("*.pipec-tmp"))
    assert (tmp_path / "prod/acme/dags/acme__sales.py").stat().st_mode & 0o777 == 0o644


def test_failed_write_leaves_old_file_and_no_temp_file(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    with mock.patch("pipec.publish.os.replace", side_effect=OSError(28, "No space left on device")):
        with pytest.raises(PublishError) as info:
            publish(tmp_path, "prod", {**FILES, "acme/pools.json": b"[]\n"})
    assert info.value.code == "E722" and "no space left on device" in info.value.message
    assert (tmp_path / "prod/acme/pools.json").read_bytes() == b"{}\n"
    assert not list((tmp_path / "prod").rglob("*.pipec-tmp"))


def test_stale_outputs_are_removed_and_foreign_files_untouched(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    root = tmp_path / "prod"
    foreign = {
        "acme/dags/handwritten.py": b"mine\n",
        "README.md": b"notes\n",
        "acme/k8s/pods/x.txt": b"x",
    }
    for path, data in foreign.items():
        (root / path).write_bytes(data)
    smaller = {p: d for p, d in FILES.items() if not p.endswith(".yaml")}
    result = publish(tmp_path, "prod", smaller)
    assert result.removed == ("acme/k8s/pods/sales.a.yaml",)
    assert _tree(root) == {**smaller, **foreign, MANIFEST: manifest_bytes(smaller)}


def test_empty_directories_left_by_removal_are_pruned(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    publish(tmp_path, "prod", {"acme/pools.json": b"{}\n"})
    assert not (tmp_path / "prod/acme/k8s").exists()
    assert not (tmp_path / "prod/acme/dags").exists()


def test_a_foreign_file_in_the_way_is_a_conflict_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "prod"
    (root / "acme").mkdir(parents=True)
    (root / "acme/pools.json").write_bytes(b"user's own\n")
    with pytest.raises(PublishError, match="acme/pools.json") as info:
        publish(tmp_path, "prod", FILES)
    assert info.value.code == "E721"
    assert _tree(root) == {"acme/pools.json": b"user's own\n"}


def test_an_identical_file_without_manifest_is_adopted(tmp_path: Path) -> None:
    root = tmp_path / "prod"
    (root / "acme").mkdir(parents=True)
    (root / "acme/pools.json").write_bytes(FILES["acme/pools.json"])
    result = publish(tmp_path, "prod", FILES)
    assert "acme/pools.json" in result.unchanged


def test_check_reports_stale_missing_and_extra_and_writes_nothing(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    root = tmp_path / "prod"
    (root / "acme/pools.json").unlink()
    before = _tree(root)
    now = {
        "acme/dags/acme__sales.py": b"dag = 2\n",  # stale
        "acme/pools.json": FILES["acme/pools.json"],  # missing on disk
        "acme/dags/acme__new.py": b"new\n",  # missing
    }  # acme/k8s/pods/sales.a.yaml is extra
    result = publish(tmp_path, "prod", now, check=True)
    assert result.stale == ("acme/dags/acme__sales.py", MANIFEST)
    assert result.missing == ("acme/dags/acme__new.py", "acme/pools.json")
    assert result.extra == ("acme/k8s/pods/sales.a.yaml",)
    assert not result.up_to_date and not result.written
    assert _tree(root) == before


def test_check_passes_right_after_publish(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    result = publish(tmp_path, "prod", FILES, check=True)
    assert result.up_to_date and sorted(result.unchanged) == sorted([*FILES, MANIFEST])


def test_check_on_an_empty_directory_reports_everything_missing(tmp_path: Path) -> None:
    result = publish(tmp_path, "prod", FILES, check=True)
    assert set(result.missing) == {*FILES, MANIFEST}
    assert not (tmp_path / "prod").exists()


@pytest.mark.parametrize(
    "bad", ["/abs.py", "../escape.py", "a/../b.py", "a//b.py", MANIFEST, "a\\b"]
)
def test_invalid_paths_are_internal_errors(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        publish(tmp_path, "prod", {bad: b""})


def test_a_tampered_manifest_never_removes_files_outside(tmp_path: Path) -> None:
    outside = tmp_path / "keep.txt"
    outside.write_bytes(b"keep")
    root = tmp_path / "prod"
    root.mkdir()
    (root / MANIFEST).write_text(json.dumps({"files": {"../keep.txt": "0", "/etc/passwd": "0"}}))
    publish(tmp_path, "prod", FILES)
    assert outside.read_bytes() == b"keep"


def test_republishing_the_same_files_writes_nothing(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    manifest = tmp_path / "prod" / MANIFEST
    before = manifest.stat().st_ino, manifest.stat().st_mtime_ns
    result = publish(tmp_path, "prod", FILES)
    assert result.written == () and result.removed == ()
    assert sorted(result.unchanged) == sorted([*FILES, MANIFEST])
    assert (manifest.stat().st_ino, manifest.stat().st_mtime_ns) == before


def test_an_interrupted_publish_still_owns_what_it_wrote(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    new = {**FILES, "acme/dags/acme__new.py": b"new\n"}
    real_replace = os.replace

    def crash_on_new(src, dst):
        real_replace(src, dst)
        if Path(dst).name == "acme__new.py":
            raise KeyboardInterrupt

    with mock.patch("pipec.publish.os.replace", side_effect=crash_on_new):
        with pytest.raises(KeyboardInterrupt):
            publish(tmp_path, "prod", new)
    # The next run may replace or remove the file it wrote before the crash.
    result = publish(tmp_path, "prod", FILES)
    assert result.removed == ("acme/dags/acme__new.py",)

"""publish() in a hostile or failing output folder: symlinks (E720), writes the OS
refuses (E722, all or nothing), concurrent runs (a real flock between real
processes, E723) and temp files a killed run left behind.

Tests run as root, where a read-only mode does not stop writes: a read-only
folder is made with ``chattr +i`` (skipped where the filesystem has no
immutable flag), next to failures root cannot bypass (a file where a folder
should be, a name longer than 255 bytes).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipec.outfolder import LOCK
from pipec.publish import MANIFEST, PublishError, manifest_bytes, publish

FILES = {"a/x.py": b"x1\n", "b/y.py": b"y1\n"}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` except the lock file (symlinks are not followed)."""
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if name != LOCK:
                found[path.relative_to(root).as_posix()] = path.read_bytes() if not path.is_symlink() else b"@link"
    return found


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "y.py").write_bytes(b"not pipec's\n")
    (outside / "x.py").write_bytes(b"not pipec's either\n")
    return outside


# ---------------------------------------------------------------- symlinks: E720


def _link_folder(root: Path, name: str, target: Path) -> Path:
    shutil.rmtree(root / name)
    (root / name).symlink_to(target, target_is_directory=True)
    return root / name


@pytest.mark.parametrize("now", [
    {"a/x.py": b"x2\n", "b/y.py": b"y2\n"},  # would overwrite outside/y.py
    {"a/x.py": b"x2\n"},  # would delete outside/y.py (b/y.py is stale)
], ids=["overwrite", "delete"])
def test_a_symlinked_folder_in_the_tree_is_refused(tmp_path: Path, now: dict[str, bytes]) -> None:
    out, outside = tmp_path / "out", _outside(tmp_path)
    publish(out, "prod", FILES)
    link = _link_folder(out / "prod", "b", outside)
    before_out, before_outside = _tree(out), _tree(outside)
    with pytest.raises(PublishError) as info:
        publish(out, "prod", now)
    assert (info.value.code, info.value.path) == ("E720", link)
    assert "symlink" in info.value.message and info.value.help
    assert _tree(outside) == before_outside
    assert _tree(out) == before_out


def test_a_symlinked_env_folder_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", _outside(tmp_path)
    out.mkdir()
    (out / "prod").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PublishError) as info:
        publish(out, "prod", {"x.py": b"mine\n"})
    assert (info.value.code, info.value.path) == ("E720", out / "prod")
    assert _tree(outside) == {"x.py": b"not pipec's either\n", "y.py": b"not pipec's\n"}
    with pytest.raises(PublishError):
        publish(out, "prod", {"x.py": b"mine\n"}, check=True)


def test_a_symlinked_output_file_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", _outside(tmp_path)
    publish(out, "prod", FILES)
    (out / "prod/a/x.py").unlink()
    (out / "prod/a/x.py").symlink_to(outside / "x.py")
    with pytest.raises(PublishError) as info:
        publish(out, "prod", {**FILES, "a/x.py": b"x2\n"})
    assert info.value.code == "E720"
    assert (outside / "x.py").read_bytes() == b"not pipec's either\n"


def test_the_out_folder_itself_may_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    publish(tmp_path / "out", "prod", FILES)
    assert _tree(real / "prod") == {**FILES, MANIFEST: manifest_bytes(FILES)}


# ---------------------------------------------------------------- the OS refuses: E722, nothing published


def _assert_refused(root: Path, now: dict[str, bytes], words: str) -> PublishError:
    before = _tree(root)
    with pytest.raises(PublishError) as info:
        publish(root.parent, root.name, now)
    assert info.value.code == "E722" and words in info.value.message, info.value.message
    assert _tree(root) == before  # nothing published, no temp file left
    return info.value


def test_a_file_where_a_folder_should_be_publishes_nothing(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    (tmp_path / "prod/c").write_bytes(b"a file\n")
    err = _assert_refused(tmp_path / "prod", {"a/x.py": b"x2\n", "b/y.py": b"y1\n", "c/z.py": b"z\n"},
                          "not a directory")
    assert err.path == tmp_path / "prod/c"


def test_a_new_folder_made_for_a_refused_write_is_removed_again(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    now = {**FILES, "a/x.py": b"x2\n", "new/deep/ok.py": b"ok\n", "z/" + "n" * 300 + ".py": b"\n"}
    _assert_refused(tmp_path / "prod", now, "file name too long")
    assert not (tmp_path / "prod/new").exists()


def test_a_path_too_long_publishes_nothing(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    _assert_refused(tmp_path / "prod", {"a/x.py": b"x2\n", "b/" + "n" * 300 + ".py": b"\n"}, "file name too long")


@contextmanager
def _immutable(folder: Path) -> Iterator[None]:
    """``chattr +i``: even root cannot create, replace or remove files in ``folder``."""
    proc = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"no immutable flag on this filesystem: {proc.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs)")
@pytest.mark.parametrize("now", [
    {"a/x.py": b"x2\n", "b/y.py": b"y2\n"},  # a write into the read-only folder
    {"a/x.py": b"x2\n"},  # a removal from it, after a/x.py was already replaced
], ids=["write", "remove"])
def test_a_read_only_folder_publishes_nothing(tmp_path: Path, now: dict[str, bytes]) -> None:
    publish(tmp_path, "prod", FILES)
    with _immutable(tmp_path / "prod/b"):
        err = _assert_refused(tmp_path / "prod", now, "operation not permitted")
    assert err.path == tmp_path / "prod/b/y.py"
    assert (tmp_path / "prod/a/x.py").read_bytes() == b"x1\n"


def test_a_refused_write_keeps_the_previous_manifest(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    (tmp_path / "prod/c").write_bytes(b"a file\n")
    with pytest.raises(PublishError):
        publish(tmp_path, "prod", {"c/z.py": b"z\n"})
    assert (tmp_path / "prod" / MANIFEST).read_bytes() == manifest_bytes(FILES)
    assert publish(tmp_path, "prod", FILES).written == ()


# ---------------------------------------------------------------- two real processes: the lock

_WORKER = """
import sys, time
from pathlib import Path
from pipec.publish import publish
out, name, count, ready, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
files = {f"{name}/{i % 7}/f{i:05d}.txt": f"{name} {i}\\n".encode() for i in range(count)}
ready.touch()
while not go.exists():
    time.sleep(0.001)
publish(Path(out), "prod", files)
"""


def _start_workers(tmp_path: Path, names: list[str], count: int) -> list[subprocess.Popen]:
    go = tmp_path / "go"
    procs, readies = [], []
    for name in names:
        ready = tmp_path / f"ready-{name}"
        readies.append(ready)
        procs.append(subprocess.Popen([sys.executable, "-c", _WORKER, str(tmp_path / "out"), name, str(count),
                                       str(ready), str(go)], stderr=subprocess.PIPE, text=True))
    while not all(r.exists() for r in readies):
        time.sleep(0.01)
    go.touch()
    return procs


@pytest.mark.slow
def test_concurrent_publishes_take_turns_and_leave_exactly_one_listed_tree(tmp_path: Path) -> None:
    procs = _start_workers(tmp_path, ["one", "two"], 400)
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    root = tmp_path / "out/prod"
    tree = _tree(root)
    listed = json_files(root)
    assert set(tree) == {*listed, MANIFEST}, "files on disk that the manifest does not list, or the reverse"
    assert {p.split("/")[0] for p in listed} in ({"one"}, {"two"})
    assert manifest_bytes({p: tree[p] for p in listed}) == tree[MANIFEST]


def json_files(root: Path) -> list[str]:
    import json

    return sorted(json.loads((root / MANIFEST).read_text())["files"])


_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextmanager
def _lock_held(root: Path, seconds: float) -> Iterator[subprocess.Popen]:
    root.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(root / LOCK), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "locked\n"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_locked_folder_fails_after_the_timeout_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(tmp_path, "prod", FILES)
    before = _tree(tmp_path / "prod")
    monkeypatch.setenv("PIPEC_LOCK_TIMEOUT", "0.3")
    with _lock_held(tmp_path / "prod", 60):
        with pytest.raises(PublishError) as info:
            publish(tmp_path, "prod", {"a/x.py": b"x2\n"})
    assert info.value.code == "E723" and info.value.path == tmp_path / "prod" / LOCK
    assert _tree(tmp_path / "prod") == before


def test_a_locked_folder_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPEC_LOCK_TIMEOUT", "60")
    with _lock_held(tmp_path / "prod", 0.5) as holder:
        publish(tmp_path, "prod", FILES)
        assert holder.poll() is not None  # publish ran only once the holder had exited
    assert _tree(tmp_path / "prod") == {**FILES, MANIFEST: manifest_bytes(FILES)}


# ---------------------------------------------------------------- temp files of a killed run

_KILLED = """
import os, sys, time
from pathlib import Path
from pipec.publish import publish
real_replace = os.replace

def stall_before_the_first_output(src, dst):
    if not str(dst).endswith("manifest.json"):
        Path(sys.argv[2]).touch()
        time.sleep(120)
    real_replace(src, dst)

os.replace = stall_before_the_first_output
files = {f"d{i % 3}/f{i}.py": b"new\\n" for i in range(30)}
publish(Path(sys.argv[1]), "prod", files)
"""


def test_temp_files_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    marker = tmp_path / "staged"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(tmp_path), str(marker)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the worker never reached its first replace"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = [p for p in (tmp_path / "prod").rglob("*.pipec-tmp")]
    assert len(left) >= 30  # the killed run had staged every file
    publish(tmp_path, "prod", FILES)
    assert _tree(tmp_path / "prod") == {**FILES, MANIFEST: manifest_bytes(FILES)}


def test_planted_temp_files_are_removed_and_lookalikes_kept(tmp_path: Path) -> None:
    publish(tmp_path, "prod", FILES)
    root = tmp_path / "prod"
    planted = [".x.py.k2j_9a0b.pipec-tmp", ".manifest.json.zzzzzzzz.pipec-tmp"]
    (root / "a" / planted[0]).write_bytes(b"half")
    (root / planted[1]).write_bytes(b"{")
    lookalikes = {"a/notes.pipec-tmp": b"mine", "a/.x.py.short.pipec-tmp": b"mine", "a/.x.py.k2j_9a0b.tmp": b"mine"}
    for path, data in lookalikes.items():
        (root / path).write_bytes(data)
    publish(tmp_path, "prod", FILES)
    assert _tree(root) == {**FILES, **lookalikes, MANIFEST: manifest_bytes(FILES)}

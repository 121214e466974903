"""A real Docker daemon for the run tests, and the throwaway runner images they use.

No registry is reachable from CI, so every runner image an example names is
built here ``FROM scratch`` with Debian's static busybox and ``recorder.sh`` as
its entrypoint (and as every entrypoint a task names), tagged with the image
reference the generated DAG asks for. ``make test`` installs ``docker.io`` and
``busybox-static``; :func:`ensure_daemon` starts ``dockerd`` when none answers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

RECORDER = Path(__file__).with_name("recorder.sh")
RECORDER_PATH = "/bin/pipec-record"
BUSYBOX = Path("/bin/busybox")
_SOCKET = "unix:///var/run/docker.sock"


def client() -> Any:
    import docker

    return docker.DockerClient(base_url=_SOCKET, timeout=120)


def ensure_daemon(log_dir: Path) -> subprocess.Popen | None:
    """A Docker daemon that answers; returns the process when this call started it."""
    if _answers():
        return None
    dockerd = shutil.which("dockerd")
    if dockerd is None or os.geteuid() != 0:
        pytest.fail(
            "the real-run tests need a Docker daemon: run as root with Debian's docker.io "
            "and busybox-static installed (make test installs them)"
        )
    log = open(log_dir / "dockerd.log", "wb")  # noqa: SIM115 (kept open for the daemon)
    proc = subprocess.Popen(
        [dockerd, "--iptables=false"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dockerd exited with {proc.returncode}: see {log_dir / 'dockerd.log'}")
        if _answers():
            return proc
        time.sleep(0.5)
    proc.terminate()
    pytest.fail(f"dockerd did not answer within 60 s: see {log_dir / 'dockerd.log'}")


def stop_daemon(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _answers() -> bool:
    try:
        return bool(client().ping())
    except Exception:  # noqa: BLE001 (no daemon, no socket, refused: all mean "not yet")
        return False


def build_runner_image(
    tags: Iterable[str], entrypoints: Iterable[str], *, exit_code: int = 0, print_env: bool = False
) -> str:
    """Build one recorder image under every tag; each name in ``entrypoints`` runs the recorder.

    A name without ``/`` is found through ``PATH``, as ``docker run --entrypoint`` does.
    """
    if not BUSYBOX.is_file():
        pytest.fail(f"{BUSYBOX} is missing: install Debian's busybox-static (make test does)")
    tags = sorted(set(tags))
    with tempfile.TemporaryDirectory(prefix="pipec-runner-") as ctx:
        root = Path(ctx)
        shutil.copy(BUSYBOX, root / "busybox")
        shutil.copy(RECORDER, root / "recorder.sh")
        (root / "busybox").chmod(0o755)
        (root / "recorder.sh").chmod(0o755)
        (root / "exit").write_text(f"{exit_code}\n")
        lines = [
            "FROM scratch",
            "COPY busybox /bin/busybox",
            'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
            f"COPY recorder.sh {RECORDER_PATH}",
            'ENV PATH="/usr/local/bin:/usr/bin:/bin"',
        ]
        if exit_code:
            lines.append("COPY exit /etc/pipec-exit")
        if print_env:
            lines.append("COPY exit /etc/pipec-print-env")
        for name in sorted(set(entrypoints) - {RECORDER_PATH}):
            path = name if "/" in name else f"/bin/{name}"
            parent = path.rsplit("/", 1)[0] or "/"
            lines.append(f"RUN {json.dumps(['/bin/mkdir', '-p', parent])}")
            lines.append(f"RUN {json.dumps(['/bin/ln', '-sf', RECORDER_PATH, path])}")
        lines.append(f"ENTRYPOINT {json.dumps([RECORDER_PATH])}")
        (root / "Dockerfile").write_text("\n".join(lines) + "\n", encoding="utf-8")
        image, _ = client().images.build(path=ctx, rm=True, forcerm=True)
    for tag in tags:
        image.tag(tag)
    return image.id


def ensure_network(name: str) -> None:
    docker = client()
    if not docker.networks.list(names=[name]):
        docker.networks.create(name, driver="bridge")


def entry_path(name: str) -> str:
    """The path the container runtime executes for entrypoint ``name``."""
    return name if "/" in name else f"/bin/{name}"

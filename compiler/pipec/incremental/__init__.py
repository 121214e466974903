"""Incremental compile: an edit re-parses, re-instantiates and re-renders only what it changed.

Where the no-op cache (``pipec.buildcache``) skips a run whose inputs are all
unchanged, this reuses the parts of a run that an edit did not touch. Three
kinds of entries live in a content-addressed store per output folder and
environment (``pipec.incremental.store``), each keyed by a hash of exactly what
determines it, pipec itself included:

- ``parse``: a file's syntax tree, by display path and text (clean parses only);
- ``dag``: an instantiated DAG, by its pipeline's, tenant's and shared modules
  (``pipec.incremental.dags``);
- ``render``: the SHA-256 of the files rendered from one tenant or one DAG, by
  the IR they are rendered from (the tenant, DAG, platform and environment).
  The bytes are the outputs already in ``OUT/ENV``: one that no longer hashes
  as recorded is rendered again.

Everything else runs as in a cold compile: loading, reading declarations, the
checks, the quota and unused-runner checks, publishing. A run that finds any
error is repeated without the store, so diagnostics are a cold compile's by
construction. ``PIPEC_NO_CACHE=1`` turns the store off with the no-op cache.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Callable

from pipec.incremental.store import Store, key_of, sha, store_dir
from pipec.publish import sha256


class Session:
    """The store of one ``pipec compile`` run (output folder and environment)."""

    def __init__(self, out_dir: Path, env: str) -> None:
        self.env = env
        self.out = Path(out_dir) / env
        self.store = Store(store_dir(out_dir, env))
        self.memo = None

    # ------------------------------------------------------------ front end hooks

    def parses(self) -> "ParseStore":
        return ParseStore(self.store)

    def dag_memo(self, program):
        from pipec.incremental.dags import DagMemo

        self.memo = DagMemo(self.store, program, rendered_env=self.env)
        return self.memo

    # ------------------------------------------------------------ rendering

    def generate(self, project) -> dict[str, bytes]:
        """``pipec.codegen.generate(project)``, reusing the files of unchanged tenants and DAGs."""
        from pipec import codegen
        from pipec.ir import model as ir

        around = (project.platform.model_dump_json(), project.environment.model_dump_json())
        tenant_json = {t.name: t.model_dump_json() for t in project.tenants}

        def tenant_files(project, tenant) -> dict[str, bytes]:
            alone = _alone(ir, project, tenant, None)
            return self._render(("tenant", tenant_json[tenant.name], *around),
                                lambda: codegen.tenant_outputs(alone, tenant))

        def dag_files(project, tenant, dag) -> dict[str, bytes]:
            dag_sha = self.memo.sha_of(dag) if self.memo is not None else sha(dag.model_dump_json())
            alone = _alone(ir, project, tenant, dag)
            return self._render(("dag", dag_sha, tenant_json[tenant.name], *around),
                                lambda: codegen.dag_outputs(alone, tenant, dag))

        return codegen.generate(project, tenant_files=tenant_files, dag_files=dag_files)

    def _render(self, parts: tuple[str, ...], make: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
        key = key_of("render", *parts)
        files = self._outputs(key)
        if files is not None:
            return files
        files = make()
        body = json.dumps({path: sha256(data) for path, data in sorted(files.items())}, sort_keys=True)
        self.store.put("render", key, body)
        return files

    def _outputs(self, key: str) -> dict[str, bytes] | None:
        """The files of a render entry, read from ``OUT/ENV``, if every one still hashes as recorded."""
        got = self.store.get("render", key)
        if got is None:
            return None
        try:
            listing = json.loads(got[1])
            files = {path: _read_output(self.out, path, digest) for path, digest in listing.items()}
        except (ValueError, TypeError, AttributeError, OSError):
            return None
        return None if any(data is None for data in files.values()) else files

    def save(self) -> None:
        self.store.save()


class ParseStore:
    """Clean syntax trees by display path and text (``pipec.syntax.parser.parse_store``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, path: str, text: str):
        from pipec.incremental.syntaxcodec import CodecError, decode

        got = self.store.get("parse", key_of("parse", path, text))
        if got is None:
            return None
        try:
            return decode(got[1], path)
        except CodecError:
            return None

    def put(self, path: str, text: str, module) -> None:
        from pipec.incremental.syntaxcodec import CodecError, encode

        try:
            self.store.put("parse", key_of("parse", path, text), encode(module))
        except CodecError:
            pass


def _alone(ir, project, tenant, dag):
    """The project reduced to what one tenant's or DAG's files may depend on (see ``codegen.dag_outputs``)."""
    return ir.Project(environment=project.environment, platform=project.platform, tenants=(tenant,),
                      dags=(dag,) if dag is not None else (), inputs=())


def _read_output(root: Path, path: str, digest: str) -> bytes | None:
    if not isinstance(path, str) or not isinstance(digest, str) or path.startswith("/") or ".." in path.split("/"):
        return None
    target = os.path.join(root, path)
    try:
        if not stat.S_ISREG(os.lstat(target).st_mode):  # before opening: opening a FIFO blocks
            return None
        with open(target, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if sha256(data) == digest else None

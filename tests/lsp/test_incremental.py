"""Incremental analysis (``pipec.lsp.reuse``): after any sequence of edits, what the
language server's session analyses equals a from-scratch analysis of the same texts,
diagnostic for diagnostic; and an edit of one file rebuilds only the DAGs it touches.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from incremental_project import EDITS, EXAMPLE, SYNTHETIC, Project, text_of, write

from pipec.driver import analyze
from pipec.lsp.session import Session, Unit, unit_for


def _scratch(unit: Unit, buffers: dict[Path, str]) -> list:
    """The diagnostics of a fresh analysis, with no memo at all."""
    return analyze(list(unit.entries), unit.root, overlays=dict(buffers), lint_config=unit.lint).diagnostics


def _session_diagnostics(session: Session, unit: Unit) -> list | None:
    result = session.results.get(unit.key)
    return None if result is None else result.analysis.diagnostics


def _errors(session: Session) -> list[str]:
    errors: list[str] = []
    session.log = errors.append
    return errors


def _machine(project: Project) -> type[RuleBasedStateMachine]:
    files, edits = project.pipe_files, project.edits

    class Edits(RuleBasedStateMachine):
        """Files open in the editor or only on disk, edited, saved, closed; after each step the
        session's analysis of the project equals a from-scratch analysis."""

        def __init__(self) -> None:
            super().__init__()
            self.tmp = tempfile.TemporaryDirectory(prefix="pipec-incremental-")
            self.root = project.write(Path(self.tmp.name)).resolve()
            self.session = Session()
            self.log = _errors(self.session)
            self.disk = {name: frozenset() for name in files}
            self.open: dict[str, frozenset[int]] = {}
            self.unit = unit_for(self.root / "main.pipe")
            self.analysed = False

        def teardown(self) -> None:
            self.tmp.cleanup()

        def _path(self, name: str) -> Path:
            return self.root / name

        @rule(name=st.sampled_from(files), edit=st.integers(0, len(edits) - 1))
        def edit_open_file(self, name: str, edit: int) -> None:
            """Toggle an edit in a file's buffer (opening it first) and analyse, as on a save."""
            file = edits[edit][0] if edit % 3 else name  # mostly the edit's own file
            active = self.open.get(file, self.disk[file])
            self.open[file] = active ^ {edit} if edits[edit][0] == file else active
            self.session.buffers[self._path(file)] = project.text_of(file, self.open[file])
            self.session.refresh(self._path(file))
            self.analysed = True

        @rule(edit=st.integers(0, len(edits) - 1))
        def edit_on_disk(self, edit: int) -> None:
            """Another program changes a file: the editor reports changed files."""
            file = edits[edit][0]
            self.disk[file] = self.disk[file] ^ {edit}
            self._path(file).write_text(project.text_of(file, self.disk[file]), encoding="utf-8")
            if self.analysed:
                self.session.refresh_all()

        @rule(name=st.sampled_from(files))
        def save(self, name: str) -> None:
            if name in self.open:
                self.disk[name] = self.open[name]
                self._path(name).write_text(project.text_of(name, self.disk[name]), encoding="utf-8")
                self.session.refresh(self._path(name))

        @rule(name=st.sampled_from(files))
        def close(self, name: str) -> None:
            if self.open.pop(name, None) is not None:
                self.session.close(self._path(name))

        @invariant()
        def same_as_from_scratch(self) -> None:
            assert self.log == []
            got = _session_diagnostics(self.session, self.unit)
            if got is None:
                return
            assert got == _scratch(self.unit, self.session.buffers)

    return Edits


_SETTINGS = settings(max_examples=40, stateful_step_count=12, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])
TestEdits = _machine(SYNTHETIC).TestCase
TestEdits.settings = _SETTINGS
TestExampleEdits = _machine(EXAMPLE).TestCase
TestExampleEdits.settings = settings(_SETTINGS, max_examples=20)  # a larger project: slower steps


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(tmp_path).resolve()


def _edit(session: Session, path: Path, text: str) -> None:
    session.buffers[path] = text
    session.refresh(path)


def _misses(session: Session, unit: Unit) -> int:
    return session.reuse[unit.key].misses


def test_every_single_edit_from_a_clean_project_equals_a_fresh_analysis(project: Path) -> None:
    unit = unit_for(project / "main.pipe")
    for i, (name, _, _) in enumerate(EDITS):
        session = Session()
        errors = _errors(session)
        session.buffers[project / "main.pipe"] = text_of("main.pipe", set())
        session.refresh(project / "main.pipe")
        _edit(session, project / name, text_of(name, {i}))
        assert errors == []
        assert _session_diagnostics(session, unit) == _scratch(unit, session.buffers), EDITS[i]
        _edit(session, project / name, text_of(name, set()))  # and back
        assert _session_diagnostics(session, unit) == _scratch(unit, session.buffers), EDITS[i]


def test_an_edit_rebuilds_only_the_dags_it_touches(project: Path) -> None:
    session = Session()
    main, unit = project / "main.pipe", unit_for(project / "main.pipe")
    _edit(session, main, text_of("main.pipe", set()))
    assert _misses(session, unit) == 6  # sales x (acme, globex) + report x acme, in local and prod
    _edit(session, main, text_of("main.pipe", set()) + "\n")
    assert _misses(session, unit) == 0  # nothing any DAG reads changed
    globex = project / "tenants" / "globex.pipe"
    _edit(session, globex, text_of("tenants/globex.pipe", set()).replace('"32Gi"', '"31Gi"'))
    assert _misses(session, unit) == 4  # sales x (acme, globex): sales.pipe imports globex.pipe
    report = project / "pipelines" / "report.pipe"
    _edit(session, report, text_of("pipelines/report.pipe", set()).replace('"rep"', '"rep2"'))
    assert _misses(session, unit) == 2  # report x acme
    _edit(session, report, text_of("pipelines/report.pipe", set()).replace("after(sales)", '"@daily"'))
    assert _misses(session, unit) == 4  # report x acme, and sales x acme no longer publishes an asset
    _edit(session, project / "platform.pipe", text_of("platform.pipe", set()) + "# the end\n")
    assert _misses(session, unit) == 6  # every DAG reads the platform and environments
    assert _session_diagnostics(session, unit) == _scratch(unit, session.buffers)


def test_a_syntax_error_keeps_the_memo_for_the_repair(project: Path) -> None:
    session = Session()
    sales, unit = project / "pipelines" / "sales.pipe", unit_for(project / "main.pipe")
    good = text_of("pipelines/sales.pipe", set())
    _edit(session, sales, good)
    _edit(session, sales, good.replace("bronze {", "bronze {("))
    _edit(session, sales, good)
    assert _misses(session, unit) == 0
    assert _session_diagnostics(session, unit) == _scratch(unit, session.buffers)

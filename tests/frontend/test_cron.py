"""pipec accepts exactly the cron schedules Airflow's own timetable accepts and can
run (compared with the real ``CronTriggerTimetable`` of the installed Airflow)."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening_support import check_json, codes, variant
from pipec.ir.cron import cron_problem

START = pendulum.datetime(2024, 1, 1, tz="UTC")
CORPUS = [
    "0 6 * * *", "*/15 * * * *", "0 0 L * *", "0 0 ? * 1#2", "0 0 15W * *", "0 0 * * 5L", "0 0 LW * *",
    "0 0 31 2 *", "0 0 30 2 *", "0 0 29 2 *", "0 0 30 2 1", "0 0 31 4 *", "0 0 31 * *", "61 * * * *",
    "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "0 0 * * 7", "0 0 * jan-mar mon-fri",
    "5-1 * * * *", "*/0 * * * *", "0 0 1 1 ?", "@@ * * * *", "0 0 * * 1#6", "0 0 32W * *", "0 0 L 2 *",
    "0-59/61 * * * *", "0 0 1,15 * *", "0 0 1-31/2 * *", "0 0 ? ? ?", "0 0 * * sun#1", "0 0 L-3 * *",
]


def _airflow_accepts(expression: str) -> bool:
    from airflow.timetables.base import TimeRestriction
    from airflow.timetables.trigger import CronTriggerTimetable

    try:
        timetable = CronTriggerTimetable(expression, timezone="UTC")
        timetable.validate()
        info = timetable.next_dagrun_info(last_automated_data_interval=None,
                                          restriction=TimeRestriction(earliest=START, latest=None, catchup=True))
    except Exception:  # noqa: BLE001 - any refusal by Airflow counts as "does not run"
        return False
    return info is not None


@pytest.mark.parametrize("expression", CORPUS)
def test_pipec_agrees_with_airflow(expression: str) -> None:
    assert (cron_problem(expression) is None) == _airflow_accepts(expression), expression


CRON_ITEM = st.one_of(st.just("*"), st.just("?"), st.just("L"), st.integers(0, 62).map(str),
                      st.builds(lambda a, b: f"{a}-{b}", st.integers(0, 40), st.integers(0, 40)),
                      st.builds(lambda a, s: f"{a}/{s}", st.sampled_from(["*", "0", "5"]), st.integers(0, 30)),
                      st.builds(lambda d, n: f"{d}#{n}", st.integers(0, 7), st.integers(0, 6)),
                      st.integers(0, 32).map(lambda d: f"{d}W"), st.integers(0, 7).map(lambda d: f"{d}L"),
                      st.sampled_from(["jan", "feb", "mon", "fri", "sun"]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.lists(CRON_ITEM, min_size=5, max_size=5))
def test_generated_cron_agrees_with_airflow(fields: list[str]) -> None:
    expression = " ".join(fields)
    assert (cron_problem(expression) is None) == _airflow_accepts(expression), expression


@pytest.mark.parametrize("expression", ["0 0 31 2 *", "0 ٦ * * *", "0 0 * * 1#6", "61 * * * *", "* * * * * *"])
def test_refused_cron_is_E203_at_the_schedule(tmp_path: Path, expression: str) -> None:
    rc, diags = check_json(tmp_path, variant('schedule = "@daily"', f'schedule = "{expression}"'))
    assert rc == 1 and codes(diags) == ["E203"] and diags[0]["line"] == 22


@pytest.mark.parametrize("expression", ["0 0 L * *", "0 0 ? * 1#2", "0 0 15W * *", "0 0 29 2 *"])
def test_cron_airflow_accepts_is_accepted(tmp_path: Path, expression: str) -> None:
    rc, diags = check_json(tmp_path, variant('schedule = "@daily"', f'schedule = "{expression}"'))
    assert rc == 0, diags

"""Run windows of generated DAGs tile time: no gap, no overlap, also across DST.

Each case compiles a cron or preset pipeline, parses the DAG file with Airflow's
DagBag, round-trips it through the scheduler's serialization, and walks the
deserialized timetable with ``next_dagrun_info`` over many consecutive runs,
as the scheduler does. ``run.window_start``/``run.window_end`` render the data
interval of each run, so contiguous intervals mean an incremental load with
``since = "${run.window_start}"`` (and ``until = "${run.window_end}"``) reads
every row exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from pipec.ir.model import Schedule

from .fixtures_ir import CASES

pytestmark = pytest.mark.slow

# (schedule kind, value, platform timezone, platform start, runs, local end time or None)
CASES_WINDOWS = [
    ("cron", "0 0 * * *", "Europe/Berlin", "2024-01-01", 400, "00:00"),
    ("cron", "0 6 * * *", "America/New_York", "2024-01-01", 400, "06:00"),
    ("cron", "0 * * * *", "Europe/Berlin", "2024-03-30", 72, None),  # spring forward, 31 Mar
    ("cron", "0 * * * *", "Europe/Berlin", "2024-10-26", 72, None),  # fall back, 27 Oct
    ("cron", "30 * * * *", "America/New_York", "2024-03-09", 72, None),  # spring forward, 10 Mar
    ("cron", "30 * * * *", "America/New_York", "2024-11-02", 72, None),  # fall back, 3 Nov
    ("cron", "30 2 * * *", "America/New_York", "2024-03-01", 60, None),  # 02:30 missing on 10 Mar
    ("cron", "0 6 * * 1-5", "America/New_York", "2024-01-01", 400, "06:00"),  # weekdays only
    ("cron", "15 3 1 * *", "Europe/Berlin", "2024-01-01", 36, "03:15"),  # monthly
    ("preset", "@daily", "Europe/Berlin", "2024-01-01", 400, "00:00"),
    ("preset", "@hourly", "America/New_York", "2024-11-02", 72, None),
    ("preset", "@weekly", "UTC", "2024-01-01", 120, "00:00"),
]


def _dag_for(kind: str, value: str, tz: str, start: str, tmp_path: Path):
    from airflow.serialization.serialized_objects import DagSerialization

    from .runtime import load_dags

    base = CASES["realistic"]("prod")
    sales = next(d for d in base.dags if d.dag_id == "acme__sales")
    dag = sales.model_copy(update={"schedule": Schedule(kind=kind, value=value), "publishes": None})
    project = base.model_copy(
        update={
            "platform": base.platform.model_copy(update={"timezone": tz, "start": start}),
            "dags": (dag,),
        }
    )
    bag, _ = load_dags(project, tmp_path)
    assert not bag.import_errors
    return DagSerialization.from_dict(DagSerialization.to_dict(bag.dags["acme__sales"]))


def _windows(dag, runs: int, catchup: bool = True) -> list:
    from airflow.timetables.base import TimeRestriction

    restriction = TimeRestriction(earliest=dag.start_date, latest=None, catchup=catchup)
    out, last = [], None
    for _ in range(runs):
        info = dag.timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=restriction
        )
        assert info is not None
        out.append(info)
        last = info.data_interval
    return out


@pytest.mark.parametrize(("kind", "value", "tz", "start", "runs", "local_end"), CASES_WINDOWS)
def test_consecutive_windows_meet_exactly(
    kind: str, value: str, tz: str, start: str, runs: int, local_end: str | None, tmp_path: Path
) -> None:
    dag = _dag_for(kind, value, tz, start, tmp_path)
    infos = _windows(dag, runs)
    start_date = pendulum.parse(start, tz=tz)
    assert infos[0].data_interval.start >= start_date
    for prev, cur in zip(infos, infos[1:]):
        assert cur.data_interval.start == prev.data_interval.end  # no gap, no overlap
    for info in infos:
        window = info.data_interval
        assert window.start < window.end
        assert info.run_after == window.end  # a run starts once its window has closed
        if local_end is not None:
            assert window.end.in_timezone(tz).strftime("%H:%M") == local_end


def test_daily_windows_follow_local_midnight_across_dst(tmp_path: Path) -> None:
    """A daily Berlin window is 23 hours on the spring-forward day and 25 on the fall-back day."""
    dag = _dag_for("cron", "0 0 * * *", "Europe/Berlin", "2024-01-01", tmp_path)
    hours = {
        w.data_interval.start.in_timezone("Europe/Berlin").date().isoformat(): (
            w.data_interval.end - w.data_interval.start
        ).total_seconds()
        / 3600
        for w in _windows(dag, 366)
    }
    assert hours["2024-03-31"] == 23
    assert hours["2024-10-27"] == 25
    assert hours["2024-06-01"] == 24


def test_weekday_windows_span_the_weekend(tmp_path: Path) -> None:
    """With `1-5`, Monday's run covers Friday 06:00 to Monday 06:00: weekend rows are not lost."""
    dag = _dag_for("cron", "0 6 * * 1-5", "America/New_York", "2024-01-01", tmp_path)
    monday = next(
        w for w in _windows(dag, 10) if w.data_interval.end.in_timezone("America/New_York").isoweekday() == 1
    )
    start = monday.data_interval.start.in_timezone("America/New_York")
    assert (start.isoweekday(), start.hour) == (5, 6)


def test_first_window_starts_at_the_platform_start_and_no_catchup_starts_recently(
    tmp_path: Path,
) -> None:
    dag = _dag_for("cron", "0 6 * * *", "Europe/Berlin", "2024-01-01", tmp_path)
    first = _windows(dag, 1)[0].data_interval
    assert first.start == pendulum.datetime(2024, 1, 1, 6, tz="Europe/Berlin")
    assert first.end == pendulum.datetime(2024, 1, 2, 6, tz="Europe/Berlin")
    latest = _windows(dag, 1, catchup=False)[0]
    now = pendulum.now("UTC")
    # without catchup the first run is the latest complete window, not 2024-01-01
    assert latest.data_interval.end <= now < latest.data_interval.end.add(days=1)

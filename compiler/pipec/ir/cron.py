"""Cron schedules checked the way Airflow checks them: with croniter.

Airflow's cron timetables (``airflow.timetables._cron.CronMixin``) parse a schedule
with croniter and find each run with ``croniter.get_next``. pipec asks croniter the
same two questions at check time: does it parse, and does it ever fire after the
start date (``0 0 31 2 *`` parses but never fires: the scheduler would fail on it).
So pipec accepts exactly the cron Airflow accepts (``L``, ``W``, ``#``, ``?``
included) without importing Airflow. croniter, a dependency of Airflow itself, is
imported on first use only, so files without cron schedules do not pay for it.
pipec's own rule on top: exactly five fields, written in ASCII.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

FIELDS = 5


def cron_problem(text: str, start: dt.datetime | None = None) -> str | None:
    """Why Airflow would refuse ``text`` as a schedule, or None when it runs."""
    if not text.isascii() or not text.isprintable():
        return "cron is written in ASCII: digits 0-9, names such as `mon`, and `* , - / L W # ?`"
    fields = text.split()
    if len(fields) != FIELDS:
        return f"has {len(fields)} fields, expected {FIELDS}"
    return _croniter_problem(" ".join(fields), start or dt.datetime(2024, 1, 1))


@lru_cache(maxsize=1024)
def _croniter_problem(expression: str, start: dt.datetime) -> str | None:
    from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter

    try:
        schedule = croniter(expression, start_time=start)
    except (CroniterBadCronError, CroniterError, ValueError, KeyError, IndexError) as err:
        return _culprit(expression) or _reason(str(err), expression)
    try:
        schedule.get_next(dt.datetime)
    except CroniterBadDateError:
        return "never matches a date (e.g. the 31st of a month that has 30 days or fewer)"
    except (CroniterError, ValueError, OverflowError) as err:
        return _reason(str(err), expression)
    return None


FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")


def _culprit(expression: str) -> str | None:
    """The first field croniter refuses on its own (the others `*`), for a precise label."""
    from croniter import croniter

    fields = expression.split()
    for i, field in enumerate(fields):
        alone = " ".join(field if j == i else "*" for j in range(FIELDS))
        try:
            croniter(alone)
        except Exception:  # noqa: BLE001 - any refusal names this field
            return f"bad {FIELD_NAMES[i]} `{field}`"
    return None


def _reason(message: str, expression: str) -> str:
    """croniter's message without the echoed expression."""
    for prefix in (f"[{expression}] ", f"[{expression.lower()}] "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message.rstrip(".") or "not a cron expression"

"""What Airflow 3's DAG processor does with a DAG file each time it reads it, timed.

It parses the file (DagBag), then serializes every DAG (``DagSerialization.to_dict``)
to send it to the API server (``airflow/dag_processing/processor.py``, ``_serialize_dags``).
Used by ``probe_dagbag.py`` and ``dbt/parse_one.py``, in child processes whose
Airflow (and settings) are already imported: only the file's own work is timed.

Where the installed Airflow's DAG processor manager freezes the garbage collector
before it forks the processes that parse files (``gc.freeze()`` in
``DagFileProcessorManager.before_run``: Airflow 3.3 does, 3.0 does not), so does
``process``: collections then skip what was loaded before, as in those processes.
"""

from __future__ import annotations

import gc
import inspect
import time

from airflow.dag_processing.dagbag import DagBag
from airflow.dag_processing.manager import DagFileProcessorManager
from airflow.serialization.serialized_objects import DagSerialization


def manager_freezes() -> bool:
    """Whether this Airflow's DAG processor manager calls ``gc.freeze()`` before forking."""
    try:
        return "gc.freeze()" in inspect.getsource(DagFileProcessorManager)
    except (OSError, TypeError):
        return False


def process(path: str, counter=None) -> tuple[DagBag, dict[str, float]]:
    """The DagBag of ``path`` and the wall/CPU seconds of its parse and of serializing its DAGs.

    ``counter`` (``instructions.Counter``, under valgrind) counts the parse and the
    serialization apart, as two callgrind dumps.
    """
    if manager_freezes():
        gc.freeze()
    start, stop = (counter.start, counter.stop) if counter else (_nothing, _nothing)
    start()
    wall, cpu = time.perf_counter(), time.process_time()
    bag = DagBag(dag_folder=path)
    parsed_wall, parsed_cpu = time.perf_counter(), time.process_time()
    stop()
    start()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    done_wall, done_cpu = time.perf_counter(), time.process_time()
    stop()
    return bag, {"wall": parsed_wall - wall, "cpu": parsed_cpu - cpu,
                 "serialize_wall": done_wall - parsed_wall, "serialize_cpu": done_cpu - parsed_cpu}


def _nothing() -> None:
    return None

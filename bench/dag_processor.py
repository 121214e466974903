"""What Airflow 3's DAG processor does with a DAG file each time it reads it, timed.

It parses the file (DagBag), then serializes every DAG (``DagSerialization.to_dict``)
to send it to the API server (``airflow/dag_processing/processor.py``, ``_serialize_dags``).
Used by ``probe_dagbag.py`` and ``dbt/parse_one.py``, in child processes whose
Airflow (and settings) are already imported: only the file's own work is timed.
"""

from __future__ import annotations

import time

from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization


def process(path: str) -> tuple[DagBag, dict[str, float]]:
    """The DagBag of ``path`` and the wall/CPU seconds of its parse and of serializing its DAGs."""
    wall, cpu = time.perf_counter(), time.process_time()
    bag = DagBag(dag_folder=path)
    parsed_wall, parsed_cpu = time.perf_counter(), time.process_time()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    done_wall, done_cpu = time.perf_counter(), time.process_time()
    return bag, {"wall": parsed_wall - wall, "cpu": parsed_cpu - cpu,
                 "serialize_wall": done_wall - parsed_wall, "serialize_cpu": done_cpu - parsed_cpu}

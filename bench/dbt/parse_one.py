"""Time what Airflow's DAG processor does with one DAG file: parse it, then serialize it.

    python parse_one.py DAG_FILE

Run with the Python of the venv whose Airflow (and, for Cosmos, astronomer-cosmos)
should parse the file. Airflow, its KubernetesPodOperator and DagBag are imported
before the clock starts (a DAG processor has them loaded); everything the DAG
file itself imports or computes is timed. Then each DAG is serialized
(``DagSerialization.to_dict``), as Airflow 3's DAG processor does after every
parse to send the DAG to the API server (``dag_processing/processor.py``,
``_serialize_dags``), timed apart. Prints one JSON line: wall and CPU seconds of
the parse and of the serialization, DAGs, tasks, import errors.
"""

import json
import os
import sys
import tempfile
import time

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-dbt-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
# a 2,000-model Cosmos DAG can take longer than the default 30 s: measure, do not time out
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "1200")

from airflow.dag_processing.dagbag import DagBag  # noqa: E402
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator  # noqa: E402,F401
from airflow.serialization.serialized_objects import DagSerialization  # noqa: E402


def main() -> None:
    path = sys.argv[1]
    start, cpu = time.perf_counter(), time.process_time()
    bag = DagBag(dag_folder=path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    start, serialize_cpu = time.perf_counter(), time.process_time()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    serialize_seconds, serialize_cpu = time.perf_counter() - start, time.process_time() - serialize_cpu
    tasks = sum(len(dag.tasks) for dag in bag.dags.values())
    print(json.dumps({"seconds": seconds, "cpu": cpu, "serialize_seconds": serialize_seconds,
                      "serialize_cpu": serialize_cpu, "dags": len(bag.dags), "tasks": tasks,
                      "errors": {k: v[:500] for k, v in bag.import_errors.items()}}))


if __name__ == "__main__":
    main()

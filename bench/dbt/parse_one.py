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
from pathlib import Path

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-dbt-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
# a 2,000-model Cosmos DAG can take longer than the default 30 s: measure, do not time out
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "1200")

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator  # noqa: E402,F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dag_processor import process  # noqa: E402
from instructions import counter_from_env  # noqa: E402


def main() -> None:
    bag, took = process(sys.argv[1], counter_from_env())  # count.py runs this under valgrind
    tasks = sum(len(dag.tasks) for dag in bag.dags.values())
    print(json.dumps({"seconds": took["wall"], "cpu": took["cpu"], "serialize_seconds": took["serialize_wall"],
                      "serialize_cpu": took["serialize_cpu"], "dags": len(bag.dags), "tasks": tasks,
                      "errors": {k: v[:500] for k, v in bag.import_errors.items()}}))


if __name__ == "__main__":
    main()

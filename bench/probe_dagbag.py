"""Parse one DAG folder (argv: FOLDER OUT) with Airflow's DagBag in this process; write timings and the graph as JSON to OUT.

Run as a child process by ``run.py`` (one fresh interpreter per measurement).
Airflow, the Kubernetes provider and the Kubernetes client are imported before
the clock starts: every variant needs them, so the time is that of the DAG
files themselves (dag-factory's own import is part of its time). Then every DAG
is serialized (``DagSerialization.to_dict``), timed apart: Airflow 3's DAG
processor does that after every parse (``dag_processing/processor.py``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

HOME = tempfile.mkdtemp(prefix="pipec-bench-airflow-")
os.environ.setdefault("AIRFLOW_HOME", HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY"] = "False"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"] = "3600"  # dag-factory's one loader file takes long
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
os.environ["SCARF_NO_ANALYTICS"] = "true"

from airflow.dag_processing.dagbag import DagBag  # noqa: E402
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator  # noqa: E402,F401
from dag_processor import process  # noqa: E402
from kubernetes.client import models  # noqa: E402,F401


def graph(bag: DagBag) -> dict:
    """dag_id -> task_id -> [operator class, sorted downstream task ids]."""
    return {
        dag_id: {t.task_id: [type(t).__name__, sorted(t.downstream_task_ids)] for t in dag.tasks}
        for dag_id, dag in sorted(bag.dags.items())
    }


def main() -> None:
    folder, out = sys.argv[1], sys.argv[2]
    bag, took = process(folder)
    errors = {k: v[-500:] for k, v in bag.import_errors.items()}
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({**took, "dags": len(bag.dags), "errors": errors, "graph": graph(bag)}, handle)


if __name__ == "__main__":
    main()

"""pipec: compile .pipe pipelines into Airflow 3 DAGs and Kubernetes manifests.

The public API is a thin facade over ``pipec.driver``:

- ``analyze(entries, root, env=None)`` parses and checks a project; with ``env``
  it also returns the typed IR (``pipec.ir.model.Project``).
"""

from pipec.driver import Analysis, analyze

__all__ = ["Analysis", "analyze"]
__version__ = "0.1.0"

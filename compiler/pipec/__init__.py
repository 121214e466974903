"""pipec: compile .pipe pipelines into Airflow 3 DAGs and Kubernetes manifests.

The public API is a thin facade over ``pipec.driver``:

- ``analyze(entries, root, env=None)`` parses and checks a project; with ``env``
  it also returns the typed IR (``pipec.ir.model.Project``).
"""

__all__ = ["Analysis", "analyze"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``pipec.analyze`` and ``pipec.Analysis``, imported on first use (``pipec --help`` stays fast)."""
    if name in __all__:
        from pipec import driver

        return getattr(driver, name)
    raise AttributeError(f"module 'pipec' has no attribute {name!r}")

"""Test environment for codegen: a private AIRFLOW_HOME and a kubeconfig that is never contacted.

Both are set when this conftest is imported, before any test imports Airflow.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
_HOME = Path(tempfile.mkdtemp(prefix="pipec-codegen-tests-"))

KUBECONFIG = _HOME / "kubeconfig"
KUBECONFIG.write_text(
    """apiVersion: v1
kind: Config
clusters:
- name: unreachable
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: nobody
  user: {token: "not-a-token"}
contexts:
- name: unreachable
  context: {cluster: unreachable, user: nobody}
current-context: unreachable
""",
    encoding="utf-8",
)

os.environ["AIRFLOW_HOME"] = str(_HOME / "airflow")
os.environ["KUBECONFIG"] = str(KUBECONFIG)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# The "staging" environment of the fixtures names this Kubernetes connection.
os.environ["AIRFLOW_CONN_K8S_STAGING"] = (
    '{"conn_type": "kubernetes", "extra": {"kube_config_path": "%s"}}' % KUBECONFIG
)

try:
    import pipec  # noqa: F401
except ImportError:  # not installed yet: use the checkout
    sys.path.insert(0, str(_ROOT / "compiler"))

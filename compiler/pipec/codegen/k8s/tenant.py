"""A tenant's namespace as Kubernetes objects: the content of ``k8s/tenant.yaml``.

In order: Namespace (Pod Security "restricted" enforced, audited and warned),
ResourceQuota, LimitRange, a default-deny NetworkPolicy that allows egress only
to cluster DNS and the tenant's ``egress`` list, the ServiceAccount task pods
run as, and a Role + RoleBinding letting the Airflow launcher service account
manage pods in the namespace.
"""

from __future__ import annotations

from typing import Any

from pipec.codegen import names
from pipec.codegen.k8s.pod import ENCLAVE_KEY, HIGH_SECURITY, LABEL_PREFIX
from pipec.ir.model import Environment, Platform, Tenant

_PSS_MODES = ("audit", "enforce", "warn")
_DNS_PORTS = ({"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"})

# What KubernetesPodOperator (sync or deferrable) does with the API: create,
# watch, patch (the "already_checked" label) and delete pods, read their logs,
# and list events for its startup/failure reports. No pods/exec: pipec uses no
# XCom sidecar and no istio handling.
_LAUNCHER_RULES = (
    ("pods", ("create", "delete", "get", "list", "patch", "watch")),
    ("pods/log", ("get",)),
    ("events", ("list", "watch")),
)


def documents(platform: Platform, environment: Environment, tenant: Tenant) -> list[dict[str, Any]]:
    """The objects of ``tenant.yaml``, in apply order."""
    return [
        namespace(environment, tenant),
        resource_quota(tenant),
        limit_range(tenant),
        network_policy(tenant),
        service_account(tenant),
        launcher_role(tenant),
        launcher_role_binding(platform, tenant),
    ]


def _meta(name: str, tenant: Tenant) -> dict[str, Any]:
    return {
        "labels": {LABEL_PREFIX + "tenant": tenant.name},
        "name": name,
        "namespace": tenant.namespace,
    }


def namespace(environment: Environment, tenant: Tenant) -> dict[str, Any]:
    """The namespace, with Pod Security admission pinned to the target Kubernetes version."""
    labels = {LABEL_PREFIX + "tenant": tenant.name}
    if tenant.enclave == "high_security":
        labels[ENCLAVE_KEY] = HIGH_SECURITY
    version = f"v{environment.kubernetes_version}"
    for mode in _PSS_MODES:
        labels[f"pod-security.kubernetes.io/{mode}"] = "restricted"
        labels[f"pod-security.kubernetes.io/{mode}-version"] = version
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"labels": labels, "name": tenant.namespace},
    }


def resource_quota(tenant: Tenant) -> dict[str, Any]:
    """The tenant's quota over requests and limits (equal for pipec pods) and pod count."""
    q = tenant.quota
    hard = {
        "limits.cpu": q.cpu,
        "limits.memory": q.memory,
        "pods": str(q.pods),
        "requests.cpu": q.cpu,
        "requests.memory": q.memory,
    }
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(names.QUOTA_NAME, tenant),
        "spec": {"hard": hard},
    }


def limit_range(tenant: Tenant) -> dict[str, Any]:
    """No container larger than the quota, and limits equal to requests."""
    bounds = {"cpu": tenant.quota.cpu, "memory": tenant.quota.memory}
    item = {"max": bounds, "maxLimitRequestRatio": {"cpu": "1", "memory": "1"}, "type": "Container"}
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": _meta(names.LIMIT_RANGE_NAME, tenant),
        "spec": {"limits": [item]},
    }


def network_policy(tenant: Tenant) -> dict[str, Any]:
    """Deny all ingress; allow egress to kube-dns and to each ``CIDR:port`` (TCP)."""
    dns = {
        "ports": [dict(p) for p in _DNS_PORTS],
        "to": [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                },
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
    }
    egress = [dns] + [
        {"ports": [{"port": e.port, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": e.cidr}}]}
        for e in tenant.egress
    ]
    spec = {
        "egress": egress,
        "ingress": [],
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(names.NETWORK_POLICY, tenant),
        "spec": spec,
    }


def service_account(tenant: Tenant) -> dict[str, Any]:
    """The identity task pods run as; its token is never mounted."""
    return {
        "apiVersion": "v1",
        "automountServiceAccountToken": False,
        "kind": "ServiceAccount",
        "metadata": _meta(names.POD_SERVICE_ACCOUNT, tenant),
    }


def launcher_role(tenant: Tenant) -> dict[str, Any]:
    """What the Airflow launcher may do in the tenant namespace (see ``_LAUNCHER_RULES``)."""
    rules = [
        {"apiGroups": [""], "resources": [resource], "verbs": list(verbs)}
        for resource, verbs in _LAUNCHER_RULES
    ]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(names.LAUNCHER_ROLE, tenant),
        "rules": rules,
    }


def launcher_role_binding(platform: Platform, tenant: Tenant) -> dict[str, Any]:
    """Binds the launcher Role to ``platform.airflow_service_account``."""
    subject = {
        "kind": "ServiceAccount",
        "name": platform.airflow_service_account,
        "namespace": platform.airflow_namespace,
    }
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(names.LAUNCHER_ROLE, tenant),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": names.LAUNCHER_ROLE,
        },
        "subjects": [subject],
    }

"""Kubernetes outputs as plain data: the pod each task runs and each tenant's namespace."""

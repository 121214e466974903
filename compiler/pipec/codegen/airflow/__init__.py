"""Airflow 3 DAG files: a context builder (``context.py``) and Jinja templates."""

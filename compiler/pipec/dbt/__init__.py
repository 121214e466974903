"""dbt at model level: a ``dbt`` block expands a dbt project into one task per node.

``manifest`` reads dbt's manifest.json and tells whether it is stale,
``selector`` evaluates dbt's node selection syntax, ``plan`` turns selected
nodes into tasks and edges, ``reader`` reads the ``.pipe`` block with
diagnostics (codes E801-E849) and hands the tasks to the pipelines that use it.
"""

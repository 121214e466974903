"""The one table of diagnostic codes. Codes are stable and never reused.

E0xx syntax, E1xx modules and names, E2xx types and values, E3xx graph,
E4xx tenancy, E5xx runtime values, E6xx target naming rules, E7xx command line
and project, E8xx dbt projects; W codes are lint warnings. Each entry is its own ``pipec explain`` page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    summary: str
    explanation: str
    severity: str = "error"


def _table(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


CODES: dict[str, Code] = _table(
    Code("E001", "syntax-error", "the parser met a token it did not expect",
         "The text does not follow the .pipe grammar at this point. The message says\n"
         "what was found and what could come instead. Common causes: a missing `=`\n"
         "between a field and its value, a `{` on the line after its header (a block\n"
         "opens on the line of its header), or a missing comma between arguments.\n\n"
         "    task a = dbt_run(select = \"a\"\n"
         "    # error: the call is never closed"),
    Code("E002", "unexpected-character", "a character that cannot start any token",
         "Identifiers are lowercase (`[a-z][a-z0-9_]*`), map keys may be UPPER_CASE,\n"
         "strings use double quotes. Characters such as `'`, `@`, `;` or an uppercase\n"
         "identifier like `Orders` are not part of the language outside strings."),
    Code("E003", "unterminated-string", "a string is not closed on its line",
         "Strings are written `\"...\"` on one line. Close the string with `\"`; to\n"
         "put a newline inside, write `\\n`."),
    Code("E004", "invalid-escape", "an unknown or malformed escape in a string",
         "The escapes are `\\\"` `\\\\` `\\n` `\\t` `\\r` and `\\u{...}` with 1 to 6 hex\n"
         "digits naming a Unicode scalar value. Any other backslash escape is an error;\n"
         "write `\\\\` for a literal backslash."),
    Code("E005", "invalid-interpolation", "`${` is not followed by a dotted name and `}`",
         "`${name}` or `${a.b}` interpolates a value. To write a literal `${`, use\n"
         "`$${`. Other `$` characters and `{{`, `}}`, `{%` are plain text."),
    Code("E101", "import-not-found", "an imported file or stdlib module does not exist",
         "`import \"std/NAME\"` loads a stdlib module; `import \"./file.pipe\"` loads a\n"
         "file relative to the importing file. Check the path and the file name."),
    Code("E102", "import-cycle", "files import each other in a cycle",
         "Imports must form a tree (or a DAG). Move the shared declarations into a\n"
         "file that both import."),
    Code("E103", "import-outside-root", "an import leaves the project root",
         "Imports may not reach outside the project root (the folder of pipec.toml,\n"
         "or of the entry files). This keeps a project self-contained."),
    Code("E104", "duplicate-declaration", "a name is declared twice in the same scope",
         "Every declaration name (runner, tenant, pipeline, profile, environment,\n"
         "enum) must be unique among the names in scope of a file; rename one.\n"
         "A local declaration may shadow an imported one (lint W102 warns)."),
    Code("E105", "undefined-name", "a name that is not declared",
         "The name is not declared in this file, in an imported file, or as a\n"
         "parameter or loop variable. Check the spelling, or add the missing import.\n"
         "Under `import \"std/runners\" as std` the runners are written `std.NAME`."),
    Code("E106", "wrong-kind", "a name refers to the wrong kind of declaration",
         "The field expects, e.g., a profile but the name is a tenant. Each field\n"
         "takes one kind of declaration: `profile = medium`, `tenants = [acme]`."),
    Code("E107", "unknown-field", "a field that the block does not have",
         "Every block has a closed set of fields (see the language reference). The\n"
         "hint names the closest field when there is one."),
    Code("E108", "missing-field", "a required field is missing",
         "Required fields: platform.registry; environment.operator; profile.cpu and\n"
         "memory; runner.image; tenant.schema, namespace and quota; pipeline.tenants\n"
         "and schedule."),
    Code("E109", "duplicate-field", "a field is set twice in the same block",
         "Each field may appear once per block. Remove one of them."),
    Code("E110", "duplicate-task", "two tasks of a pipeline have the same name",
         "Task names are unique per pipeline across all layers (they become Airflow\n"
         "task ids). With `for`, make sure `${x}` makes every expanded name distinct."),
    Code("E111", "misplaced-entry", "an entry that does not belong in this block",
         "Tasks live in `bronze`, `silver` or `gold` blocks; layer blocks in a\n"
         "pipeline; `secret` slots in a tenant; `when` blocks in a task or a pipeline."),
    Code("E112", "duplicate-platform", "more than one platform block",
         "A project has at most one `platform` block."),
    Code("E113", "no-platform", "the project has no platform block",
         "Compiling needs the `platform` block (at least `registry`)."),
    Code("E201", "type-mismatch", "a value of the wrong type",
         "The field or parameter expects another type: string, int, bool, duration,\n"
         "quantity, list, map, an enum value or a reference to a declaration."),
    Code("E202", "invalid-quantity", "not a Kubernetes quantity",
         "cpu and memory are Kubernetes quantities written as strings: \"500m\",\n"
         "\"2\", \"512Mi\", \"8Gi\"."),
    Code("E203", "invalid-cron", "not a valid cron expression or preset",
         "A schedule is a five-field cron string (\"0 6 * * *\"), a preset such as\n"
         "\"@daily\" or \"@hourly\", `manual`, or `after(pipeline)`. Cron is checked with\n"
         "croniter, as Airflow checks it: `L`, `W`, `#` and `?` are accepted, and a\n"
         "schedule that never fires (\"0 0 31 2 *\", the 31st of February) is refused."),
    Code("E204", "invalid-duration", "a duration with an unknown unit",
         "Durations are an integer and a unit: `30s`, `5m`, `2h`, `1d`."),
    Code("E205", "unknown-enum-value", "not a value of the expected enum",
         "Enum values are bare names, e.g. `operator = docker`, `enclave = standard`,\n"
         "`mode = incremental`. The hint lists the values of the enum."),
    Code("E206", "missing-argument", "a runner parameter without a default is not given",
         "Every runner parameter without a default must be passed by name:\n"
         "`postgres_extract(table = \"orders\")`."),
    Code("E207", "unknown-argument", "an argument the runner does not declare",
         "Arguments are passed by name and must match a runner parameter."),
    Code("E208", "invalid-value", "a value outside what the field allows",
         "Examples: a date that is not YYYY-MM-DD, `user = 0` (root), a negative\n"
         "count, an egress entry that is not \"CIDR:port\", an empty list where one\n"
         "item is needed, an environment variable name that is not [A-Za-z_][A-Za-z0-9_]*."),
    Code("E209", "duplicate-argument", "an argument is passed twice",
         "Pass each runner argument once."),
    Code("E210", "none-not-allowed", "`none` where a value is needed",
         "`none` is only allowed for optional (`?`) parameters and fields. It may\n"
         "not be interpolated into a string."),
    Code("E211", "invalid-name", "a generated or written name is not an identifier",
         "Names match `[a-z][a-z0-9_]*`. A `for` expansion such as `extract_${t}`\n"
         "must still give an identifier for every value of the loop."),
    Code("E212", "quantity-out-of-range", "a quantity Kubernetes cannot store",
         "Kubernetes keeps a quantity as a 64-bit integer at nano scale or above, so a\n"
         "value must lie between 1n and 2^63-1 (about 9.2e18): \"1e400\", \"9Ei\" and\n"
         "\"0.1n\" are refused. pipec refuses them at `pipec check` instead of letting\n"
         "the API server reject the pod."),
    Code("E213", "zero-resource", "cpu or memory of zero or less",
         "A profile or quota must ask for some cpu and memory. Docker reads\n"
         "`mem_limit=0` as unlimited, and a zero quota admits no pod at all. Write a\n"
         "size such as \"500m\" or \"512Mi\"."),
    Code("E216", "tag-too-long", "a DAG tag longer than Airflow allows",
         "Airflow stores DAG tags in a column of 100 characters; a longer tag makes the\n"
         "DAG fail to serialize. Shorten the tag."),
    Code("E217", "user-id-out-of-range", "a user id larger than Kubernetes allows",
         "`run_as_user` and a runner's `user` become the pod's `runAsUser`, which\n"
         "Kubernetes validates as a non-negative 32-bit integer: at most 2147483647."),
    Code("E218", "invalid-kubernetes-version", "`kubernetes_version` is not a version",
         "`kubernetes_version` names the Kubernetes minor release the manifests target,\n"
         "written `\"1.31\"`: major version 1, a dot and the minor version."),
    Code("E219", "invalid-registry", "`registry` is not an image registry and repository prefix",
         "`registry` is the start of every image reference: a host with an optional port\n"
         "and path, such as `\"registry.example.com/etl\"` or `\"localhost:5000/team\"`.\n"
         "No scheme (`https://`), spaces, uppercase path or trailing `/`."),
    Code("E220", "start-out-of-range", "the start date overflows in the platform's timezone",
         "Airflow converts the start date, midnight in the platform's timezone, to UTC.\n"
         "Near the ends of the calendar (0001-01-01 east of UTC, 9999-12-31 west of it)\n"
         "the conversion leaves the dates Python can represent and the DAG fails to load."),
    Code("E230", "undeclared-queue", "a task's queue is not declared in the environment compiled",
         "A task runs on an Airflow queue only when its runner or task sets `queue`, and\n"
         "that queue must be declared with `queues = [...]` on the platform (every\n"
         "environment) or on the environment being compiled: a task sent to a queue no\n"
         "worker listens on waits forever. Without `queue`, tasks use the deployment's\n"
         "default queue. Set a queue for one environment with `when ENV { queue = \"q\" }`,\n"
         "and clear a runner's queue with `queue = none`.\n\n"
         "    environment prod { operator = kubernetes, queues = [\"bronze\"] }"),
    Code("E231", "invalid-queue-name", "a declared queue name is empty or has characters queues cannot have",
         "Queue names in `queues = [...]` are 1 to 256 letters, digits, `_`, `-` and `.`\n"
         "(Celery queue names as Airflow uses them)."),
    Code("E214", "number-too-large", "an integer or duration amount beyond 2^63-1",
         "Integers and the amounts of durations are at most 9223372036854775807\n"
         "(2^63-1), the largest number Kubernetes and Airflow's database store."),
    Code("E215", "duration-too-long", "a duration longer than Python's timedelta allows",
         "Airflow keeps `retry_delay` and `timeout` as `datetime.timedelta`, which ends\n"
         "at 999999999 days; a longer duration makes the DAG file fail to import."),
    Code("E232", "after-in-when", "a pipeline's `when` block schedules it `after(...)`",
         "A pipeline-level `when ENV { ... }` block may change the schedule per\n"
         "environment to a cron string, a preset or `manual`, but not to\n"
         "`after(...)`: dependencies between pipelines are the same in every\n"
         "environment. Set `schedule = after(p)` on the pipeline itself."),
    Code("E301", "dependency-cycle", "tasks depend on each other in a cycle",
         "`after` edges must not form a cycle. Every edge of the cycle is labelled;\n"
         "remove one of them."),
    Code("E302", "layer-order", "a task runs after a task of a later layer",
         "Layers run in order bronze < silver < gold: a task may only run after tasks\n"
         "of its own or an earlier layer. Move the task, or reverse the edge."),
    Code("E303", "pipeline-cycle", "pipelines scheduled with after() form a cycle",
         "`schedule = after(p)` makes a pipeline wait for p. These edges must not\n"
         "form a cycle, and a pipeline cannot run after itself."),
    Code("E304", "pipeline-tenants", "a downstream pipeline has tenants its upstream lacks",
         "With `schedule = after(p)` each tenant's DAG waits for the same tenant's\n"
         "run of p, so every tenant of the downstream pipeline must be a tenant of p."),
    Code("E401", "cross-tenant-reference", "a runner or pipeline names a particular tenant's data",
         "Inside runners and pipelines tenant data is reached only through `tenant.*`\n"
         "so that each tenant's DAG sees only its own schema and secrets. Write\n"
         "`tenant.schema` instead of `acme.schema`."),
    Code("E402", "missing-secret", "a tenant does not declare a secret slot its tasks use",
         "Every secret slot named by a runner's `secrets` must be declared by each\n"
         "tenant that runs it: `secret warehouse = k8s_secret(\"acme-dw\", key = \"dsn\")`."),
    Code("E403", "quota-exceeded", "a task's pod does not fit the tenant quota",
         "The task's profile asks for more cpu or memory than the tenant's whole\n"
         "quota, so the pod could never be scheduled. Pick a smaller profile (with a\n"
         "`when ENV` override) or raise the quota."),
    Code("E404", "tenant-collision", "two tenants share a namespace, schema or pool",
         "Namespaces, schemas and pools isolate tenants and must be unique."),
    Code("E405", "reserved-namespace", "a tenant runs in a Kubernetes system namespace",
         "`default` and every `kube-*` namespace (kube-system, kube-public,\n"
         "kube-node-lease) belong to the cluster. A task pod in one of them could read\n"
         "that namespace's Secrets and service accounts. Give each tenant a namespace\n"
         "of its own, e.g. `namespace = \"tenant-acme\"`."),
    Code("E406", "airflow-namespace", "a tenant runs in Airflow's own namespace",
         "The platform's `airflow_namespace` (default `airflow`) holds Airflow's\n"
         "Secrets, connections and service accounts; a tenant's task pod there could\n"
         "read them. Give the tenant a namespace of its own."),
    Code("E407", "reserved-pool", "a tenant's pool would be Airflow's shared `default_pool`",
         "Each tenant gets an Airflow pool named after the tenant, sized by `pool`.\n"
         "A tenant named `default_pool` would resize the pool every other DAG shares.\n"
         "Rename the tenant."),
    Code("E501", "runtime-value-misplaced", "`run.*` where no runtime value can go",
         "`run.*` values exist only when a task runs: they may appear in strings\n"
         "that reach `args` or `env` (also through a runner's string parameter),\n"
         "never in `image`, `queue`, names or settings."),
    Code("E502", "no-logical-date", "`run.*` date values in a pipeline without a logical date",
         "Runs of a pipeline scheduled by `after(...)` or `manual` have no logical\n"
         "date and no data window, so `run.ds`, `run.logical_date`, `run.window_*`\n"
         "and `run.data_interval_*` are not available. `run.run_id` always is."),
    Code("E503", "unknown-runtime-value", "an unknown `run.*` value",
         "The runtime values are run.ds, run.logical_date, run.window_start,\n"
         "run.window_end, run.data_interval_start, run.data_interval_end and run.run_id."),
    Code("E504", "no-data-window", "`run.window_*` in a pipeline scheduled `@once`",
         "A cron or preset schedule gives each run the window from the previous\n"
         "schedule tick to its own (`run.window_start`, `run.window_end`). An `@once`\n"
         "pipeline runs a single time and has no window; schedule it with cron or a\n"
         "preset, or use `run.logical_date`."),
    Code("E601", "invalid-k8s-name", "not a valid Kubernetes name",
         "Namespaces and secret names are RFC 1123 labels or subdomains: lowercase\n"
         "letters, digits and `-`, starting and ending with a letter or digit, at most\n"
         "63 (label) or 253 (subdomain) characters."),
    Code("E602", "invalid-airflow-id", "a name that cannot be an Airflow id or pool",
         "Tenant and pipeline names form the DAG id `<tenant>__<pipeline>` and may\n"
         "not contain `__`; ids are at most 250 characters."),
    Code("E603", "label-too-long", "a Kubernetes label value longer than 63 characters",
         "pipec labels pods with the tenant, pipeline and task names; each must fit\n"
         "a Kubernetes label value (63 characters)."),
    Code("E701", "unknown-environment", "the environment given on the command line is not declared",
         "`pipec compile --env NAME` needs `environment NAME { ... }` in the project."),
    Code("E702", "no-input", "no files given and no pipec.toml found",
         "Give .pipe files on the command line, or run inside a project with a\n"
         "pipec.toml (entry, env, out)."),
    Code("E703", "invalid-project-file", "pipec.toml is malformed",
         "pipec.toml is TOML with `entry = [\"main.pipe\"]`, optional `env`, `out`\n"
         "and a `[lint]` table with `select`, `ignore` and `per-file-ignores` (codes or\n"
         "code prefixes that exist; see docs/lint.md)."),
    Code("E704", "unreadable-file", "a source file cannot be read",
         "The file does not exist, is not readable, or is not UTF-8."),
    Code("E705", "invalid-project-value", "a pipec.toml key has a value of the wrong type",
         "pipec.toml keys and their types:\n\n"
         "    entry = [\"main.pipe\"]   # a file name or a list of them\n"
         "    env   = \"local\"         # a string\n"
         "    out   = \"build\"         # a string\n"
         "    [lint]\n"
         "    select = [\"W101\"]       # a list of code prefixes\n"
         "    ignore = [\"W103\"]       # a list of code prefixes\n\n"
         "A single string is not a list: write `select = [\"W101\"]`, not `select = \"W101\"`."),
    Code("E706", "unknown-project-key", "pipec.toml has a key pipec does not know",
         "pipec.toml knows `entry`, `env`, `out` and a `[lint]` table with `select` and\n"
         "`ignore`. A misspelt key would otherwise be ignored silently."),
    Code("E707", "file-too-large", "a source file is larger than the limit",
         "A .pipe file may be at most 1 MiB (`pipec.limits.MAX_FILE_BYTES`): pipec reads\n"
         "no more than that. Split the file into several files that import each other."),
    Code("E709", "nesting-too-deep", "brackets nest deeper than the limit",
         "Brackets `(`, `[` and `{` may be open at most 32 deep at any point of a file,\n"
         "counting the blocks around a value (`pipec.limits.MAX_NESTING`). Flatten the\n"
         "value."),
    Code("E710", "string-too-long", "a string literal is longer than the limit",
         "A string may hold at most 16384 characters as written\n"
         "(`pipec.limits.MAX_STRING`). Keep large content, such as SQL or config\n"
         "files, in the image and pass its path."),
    Code("E711", "too-many-tasks", "the project has more tasks than the limit",
         "A project may declare at most 50000 tasks after `for` expansion\n"
         "(`pipec.limits.MAX_TASKS`); nested `for` loops multiply quickly. pipec stops\n"
         "expanding at the limit."),
    Code("E720", "output-symlink", "a symlink inside the output folder",
         "`pipec compile` and `pipec docs` never follow a symlink at or below\n"
         "OUT/ENV: a symlinked `dags/` folder would make pipec overwrite and delete\n"
         "files outside --out. Nothing is written; replace the link with a real\n"
         "folder, or point --out at the real location."),
    Code("E721", "output-conflict", "a file pipec did not write is in the way of an output",
         "pipec only replaces or removes files its manifest lists (manifest.json for\n"
         "compile, docs-manifest.json for docs). A different file where an output\n"
         "must go stops the run before anything is written; move it, or use another\n"
         "--out. An identical file is adopted."),
    Code("E722", "output-write-failed", "the operating system refused a write in the output folder",
         "A file where a folder should be, a read-only or full disk, or a name longer\n"
         "than the filesystem allows. Every output is staged before any is replaced,\n"
         "and a later failure is undone, so nothing was published: the folder holds\n"
         "the previous outputs. Fix the path and run again."),
    Code("E723", "output-locked", "another pipec run is writing the same output folder",
         "Runs into one OUT/ENV take turns through an advisory lock on\n"
         "OUT/ENV/.pipec.lock. This run waited PIPEC_LOCK_TIMEOUT seconds (default\n"
         "120) and gave up without writing anything. Run again when the other one\n"
         "has finished, or raise the timeout."),
    Code("E801", "dbt-manifest-missing", "a dbt block's manifest (or project folder) does not exist",
         "`manifest` names the manifest.json that `dbt parse` writes into the dbt\n"
         "project's target/ folder, relative to the .pipe file. pipec reads it at\n"
         "compile time; write it first (in CI: `dbt parse` before `pipec compile`).\n\n"
         "    dbt shop { manifest = \"dbt/target/manifest.json\", ... }\n\n"
         "`project`, when given, must be the folder that holds dbt_project.yml."),
    Code("E802", "dbt-manifest-unreadable", "a dbt block's manifest cannot be read or is not a dbt manifest",
         "The file exists but cannot be read, is not JSON, or lacks the metadata,\n"
         "nodes and sources of a dbt manifest. Point `manifest` at target/manifest.json."),
    Code("E803", "dbt-manifest-old", "a dbt manifest from a dbt older than 1.8 (schema before v12)",
         "pipec reads manifest schema v12 and later (dbt-core 1.8+). Parse the\n"
         "project again with a current dbt: `dbt parse`."),
    Code("E804", "dbt-manifest-stale", "the dbt project changed after its manifest was written",
         "A manifest is stale when a model, seed, snapshot or singular test file\n"
         "differs from the checksum dbt recorded for it (dbt's sha256 of the file's\n"
         "text without surrounding whitespace), a recorded file is gone, or a new\n"
         "model, snapshot, test (.sql, .py) or seed (.csv) file is not in it. The\n"
         "project folder is `project`, or the folder above the manifest's target/ when\n"
         "it holds dbt_project.yml; without a project folder only the manifest is\n"
         "used. Run `dbt parse` again."),
    Code("E805", "dbt-selector-syntax", "a malformed dbt selector or an unknown selector method",
         "pipec evaluates dbt's selection syntax: space for union, comma for\n"
         "intersection, methods fqn (default), tag, path, file, resource_type, source,\n"
         "package and config.KEY, graph operators `+x`, `x+`, `N+x`, `x+N` and `@x`.\n\n"
         "    select = \"+fct_revenue tag:daily,path:models/marts\""),
    Code("E806", "dbt-selector-no-match", "a dbt selector criterion matches no node",
         "Each criterion of `select`, `exclude` and `layers` must match at least one\n"
         "node of the manifest (dbt only warns; pipec refuses, since a typo would\n"
         "silently drop models). Check the name, tag or path; paths are relative to\n"
         "the dbt project."),
    Code("E807", "dbt-node-without-layer", "a selected dbt node falls in no layer",
         "`layers` places every selected model, seed and snapshot in bronze, silver\n"
         "or gold with a selector per layer (a folder such as `staging`, `tag:x`,\n"
         "`path:models/marts`). Add the node's folder or tag to a layer, or exclude it.\n\n"
         "    layers = { silver = \"staging path:seeds\", gold = \"marts\" }"),
    Code("E808", "dbt-node-in-two-layers", "a selected dbt node falls in two layers",
         "Each node runs in exactly one layer. Make the layer selectors disjoint."),
    Code("E809", "dbt-unknown-source", "a `sources` link names a source the dbt project does not declare",
         "`sources = { extract_orders = \"shop.orders\" }` links the dbt source\n"
         "`shop.orders` (source name, then table) to the bronze task that loads it;\n"
         "models reading it then run after that task."),
    Code("E810", "dbt-task-name-clash", "two dbt nodes give the same task name",
         "A node's task id is its name in lowercase with other characters as `_`.\n"
         "Rename one of the nodes or exclude it."),
    Code("E811", "dbt-empty-selection", "a dbt block selects no model, seed or snapshot",
         "After `select` and `exclude` nothing is left to run (ephemeral models are\n"
         "not tasks: they are compiled into the models that use them)."),
    Code("E812", "dbt-runner-mismatch", "a dbt block's runner cannot run dbt nodes",
         "The runner of a dbt block takes `command: string` and `select: string`,\n"
         "which the block sets for every task (`dbt_node` in std/runners does). Other\n"
         "parameters may be passed: `runner = dbt_node(vars = \"{x: 1}\")`."),
    Code("E813", "dbt-unknown-layer", "a `layers` key is not bronze, silver or gold",
         "`layers = { silver = \"staging\", gold = \"marts\" }`: keys are layer names."),
    Code("W101", "dangling-doc-comment", "a `///` doc comment not followed by a declaration",
         "`///` documents the declaration on the next line. Use `#` for a plain\n"
         "comment.", "warning"),
    Code("W102", "shadowed-import", "a local declaration shadows an imported name",
         "The local name wins, which may surprise readers. Rename it, or import the\n"
         "module `as` a prefix.", "warning"),
    Code("W103", "unused-import", "nothing from an imported file is used",
         "Remove the import.", "warning"),
    Code("W104", "jinja-in-string", "hand-written Jinja (`{{`, `{%`) in a string",
         "pipec never renders user text as a template: `{{ ds }}` reaches the container\n"
         "as the five characters `{{ ds }}`, not as a date. Runtime values are written\n"
         "`${run.NAME}` and compiled to the matching Airflow template.\n\n"
         "bad:\n\n"
         "    task load = dbt_run(select = \"orders\", vars = \"day: {{ ds }}\")\n\n"
         "good:\n\n"
         "    task load = dbt_run(select = \"orders\", vars = \"day: ${run.ds}\")\n\n"
         "If the braces are meant literally, suppress the warning on that line with\n"
         "`# pipec: ignore[W104]`.", "warning"),
    Code("W105", "foreign-tenant-secret", "a tenant's `k8s_secret` is named after another tenant",
         "Each tenant's pods read Secrets from the tenant's own namespace. A Secret\n"
         "named after another tenant (`globex-dw` in tenant `acme`) means that tenant's\n"
         "credentials were copied across, or the slot was pasted from the wrong tenant.\n\n"
         "bad:\n\n"
         "    tenant acme {\n"
         "      secret warehouse = k8s_secret(\"globex-warehouse\", key = \"dsn\")\n"
         "    }\n\n"
         "good:\n\n"
         "    tenant acme {\n"
         "      secret warehouse = k8s_secret(\"acme-warehouse\", key = \"dsn\")\n"
         "    }", "warning"),
    Code("W106", "logical-date-lower-bound", "`run.ds` is the lower bound of an incremental load",
         "`run.ds` is the date of the run, not the end of the data already loaded. A\n"
         "run that starts late, is skipped, or is retried after midnight leaves rows\n"
         "between two runs that no load ever reads. The rule fires where `run.ds` or\n"
         "`run.logical_date` is passed to a lower-bound parameter (`since`, `from`,\n"
         "`start`, `start_date`, `lower_bound`, `watermark`, or a name ending in `_since`\n"
         "or `_from`) or to any argument of a call with `mode = incremental`. The\n"
         "gap-free lower bound is `run.window_start`: where the previous run's window\n"
         "ended (the run value that comes with gap-free timetables).\n\n"
         "bad:\n\n"
         "    task extract = postgres_extract(table = \"orders\", mode = incremental,\n"
         "                                    cursor = \"updated_at\", since = \"${run.ds}\")\n\n"
         "good:\n\n"
         "    task extract = postgres_extract(table = \"orders\", mode = incremental,\n"
         "                                    cursor = \"updated_at\", since = \"${run.window_start}\")",
         "warning"),
    Code("W107", "image-tag-latest", "a runner image has the tag `latest` or no tag",
         "An image without a tag means `latest`, which changes under a running\n"
         "pipeline: two runs of the same DAG may run different code, and a rerun of an\n"
         "old date does not reproduce it. Pin a version tag (or a digest).\n\n"
         "bad:\n\n"
         "    runner load() { image = \"${platform.registry}/loader:latest\" }\n\n"
         "good:\n\n"
         "    runner load() { image = \"${platform.registry}/loader:1.4.2\" }", "warning"),
    Code("W108", "image-not-pinned", "a runner image is not pinned by digest in a kubernetes environment",
         "Tags can be moved; only a digest names exactly one image. In kubernetes\n"
         "environments pin every image with `@sha256:...`. This rule is off unless\n"
         "selected (`[lint] select = [\"W\"]` or `[\"W108\"]` in pipec.toml): the\n"
         "stdlib runners use version tags.\n\n"
         "bad:\n\n"
         "    runner load() { image = \"${platform.registry}/loader:1.4.2\" }\n\n"
         "good:\n\n"
         "    runner load() { image = \"${platform.registry}/loader@sha256:0f3e...\" }", "warning"),
    Code("W109", "pipeline-without-owner", "a pipeline does not set `owner`",
         "Airflow shows the owner on every DAG; the default `pipec` tells the person\n"
         "on call nothing about whom to ask.\n\n"
         "bad:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\" }\n\n"
         "good:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\", owner = \"data-eng\" }",
         "warning"),
    Code("W110", "pipeline-without-failure-alert", "a pipeline sets no `on_failure` alert",
         "Without `on_failure`, a failed run is only visible to whoever opens the\n"
         "Airflow UI. Send an email to the people who can fix it.\n\n"
         "bad:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\" }\n\n"
         "good:\n\n"
         "    pipeline sales {\n"
         "      tenants = [acme], schedule = \"@daily\"\n"
         "      on_failure = email(\"oncall@example.com\")\n"
         "    }", "warning"),
    Code("W111", "no-retries-in-production", "tasks run with 0 retries in a kubernetes environment",
         "Pods are evicted, nodes are drained and networks blip: in production a task\n"
         "that is never retried fails the whole run for a transient reason. The\n"
         "default for `retries` is 0; set it on the pipeline (or the task).\n\n"
         "bad:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\" }\n\n"
         "good:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\", retries = 2 }",
         "warning"),
    Code("W112", "missing-timeout", "tasks run without a `timeout`",
         "A task without a timeout that hangs (a lock, a stuck connection) holds its\n"
         "pool slot and its quota until someone notices. Set `timeout` on the pipeline,\n"
         "the runner or the task.\n\n"
         "bad:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\" }\n\n"
         "good:\n\n"
         "    pipeline sales { tenants = [acme], schedule = \"@daily\", timeout = 2h }",
         "warning"),
    Code("W113", "task-name-not-snake-case", "a task name is not snake_case",
         "Task names become Airflow task ids and pod names. `a__b` or a trailing `_`\n"
         "(often from a `for` value that starts or ends with `_`, or is empty) are\n"
         "valid identifiers but read badly and turn into `a--b` in pod names.\n\n"
         "bad:\n\n"
         "    for t in [\"orders\", \"_audit\"] { task extract_${t} = postgres_extract(table = t) }\n\n"
         "good:\n\n"
         "    for t in [\"orders\", \"audit\"] { task extract_${t} = postgres_extract(table = t) }",
         "warning"),
    Code("W114", "duplicate-task-work", "two tasks run the same runner with the same arguments",
         "Two tasks of one pipeline that run the same image with the same arguments\n"
         "and environment do the same work twice (often a copy-pasted task whose\n"
         "argument was not changed).\n\n"
         "bad:\n\n"
         "    task stg_orders = dbt_run(select = \"stg_orders\")\n"
         "    task stg_payments = dbt_run(select = \"stg_orders\")\n\n"
         "good:\n\n"
         "    task stg_orders = dbt_run(select = \"stg_orders\")\n"
         "    task stg_payments = dbt_run(select = \"stg_payments\")", "warning"),
    Code("W115", "layer-exceeds-quota", "tasks of a layer that start together exceed the tenant quota",
         "The tasks of a layer that depend on no other task of that layer can all\n"
         "start at the same time (up to the tenant's `pool` slots). When their pods\n"
         "together ask for more cpu, memory or pods than the tenant's quota,\n"
         "Kubernetes refuses the extra pods and the tasks fail or queue in Airflow.\n"
         "Checked in kubernetes environments, with each environment's profiles.\n\n"
         "bad:\n\n"
         "    tenant acme { quota = { cpu = \"4\", memory = \"16Gi\", pods = 10 }, ... }\n"
         "    bronze {\n"
         "      task a = postgres_extract(table = \"a\") { profile = large }  # 2 cpu\n"
         "      task b = postgres_extract(table = \"b\") { profile = large }\n"
         "      task c = postgres_extract(table = \"c\") { profile = large }\n"
         "    }\n\n"
         "good:\n\n"
         "    tenant acme { quota = { cpu = \"8\", memory = \"32Gi\", pods = 10 }, ... }\n\n"
         "or make one task run `after` another, or lower the tenant's `pool`.", "warning"),
    Code("W116", "unused-runner", "a runner no task calls",
         "A runner declared in the project that no pipeline uses is dead code.\n\n"
         "bad:\n\n"
         "    runner old_export() { image = \"${platform.registry}/export:1.0.0\" }\n"
         "    # ... and no task calls old_export\n\n"
         "good: remove the runner, or call it from a task.", "warning"),
    Code("W117", "unused-profile", "a profile nothing refers to",
         "A profile declared in the project that no runner, task or `when` block\n"
         "refers to (and that is not the implicit default `small`) is dead code.\n\n"
         "bad:\n\n"
         "    profile huge { cpu = \"16\", memory = \"64Gi\" }  # never used\n\n"
         "good: remove the profile, or use it: `task t = dbt_run(...) { profile = huge }`.",
         "warning"),
    Code("W118", "unused-secret-slot", "a tenant's secret slot no task of the tenant uses",
         "A secret slot that no runner of the tenant's pipelines reads still names a\n"
         "Kubernetes Secret the tenant must keep; usually a leftover.\n\n"
         "bad:\n\n"
         "    tenant acme {\n"
         "      secret legacy_ftp = k8s_secret(\"acme-ftp\", key = \"url\")  # no runner reads it\n"
         "    }\n\n"
         "good: remove the slot, or add the task that needs it.", "warning"),
    Code("W119", "unused-suppression", "a `# pipec: ignore[CODE]` comment suppresses nothing",
         "A suppression comment applies to the warnings whose position is on the\n"
         "comment's line, or, for a comment alone on its line, on the next line. One\n"
         "that suppresses nothing is stale: the warning was fixed or moved.\n\n"
         "bad:\n\n"
         "    pipeline sales {  # pipec: ignore[W109]\n"
         "      owner = \"data-eng\"\n\n"
         "good:\n\n"
         "    pipeline sales {\n"
         "      owner = \"data-eng\"", "warning"),
    Code("W120", "invalid-suppression", "a suppression comment is malformed or names an unknown code",
         "The form is `# pipec: ignore[CODE]` or `# pipec: ignore[CODE1, CODE2]` with\n"
         "warning codes (W...). Errors cannot be suppressed.\n\n"
         "bad:\n\n"
         "    task t = dbt_run(select = \"{{ x }}\")  # pipec: ignore W104\n\n"
         "good:\n\n"
         "    task t = dbt_run(select = \"{{ x }}\")  # pipec: ignore[W104]", "warning"),
)

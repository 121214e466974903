"""Completion, references, rename, formatting, quick fixes and semantic tokens, end to end:
a real `pipec lsp` process driven over stdio, as the VS Code extension drives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_client import uri
from lsp_support import MAIN, TENANTS, find

from pipec.fmt import format_source
from pipec.lsp.tokens import TOKEN_MODIFIERS, TOKEN_TYPES


def _open(server, path: Path, text: str | None = None) -> list[dict]:
    mark = server.mark()
    server.open(path, text)
    return server.diagnostics(path, mark)


def _complete(server, path: Path, text: str, needle: str, within: int | None = None) -> dict[str, dict]:
    """Open ``text`` and complete just after ``needle`` (or ``within`` characters into it)."""
    _open(server, path, text)
    line, col = find(text, needle, within=len(needle) if within is None else within)
    result = server.at("textDocument/completion", path, line, col)
    return {item["label"]: item for item in result["items"]}


def _apply(text: str, edits: list[dict]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: dict) -> int:
        return min(starts[min(pos["line"], len(lines))] + pos["character"], len(text))
    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        text = text[:offset(edit["range"]["start"])] + edit["newText"] + text[offset(edit["range"]["end"]):]
    return text


# ---------------------------------------------------------------- capabilities


def test_initialize_advertises_the_editing_features(tmp_path):
    from lsp_client import LspClient
    client = LspClient(tmp_path)
    try:
        caps = client.initialize(tmp_path, textDocument={"rename": {"prepareSupport": True}})["capabilities"]
        assert set(caps["completionProvider"]["triggerCharacters"]) >= {".", "("}
        assert caps["referencesProvider"] and caps["documentFormattingProvider"]
        assert caps["renameProvider"] == {"prepareProvider": True}  # the client said it supports prepare
        assert caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
        legend = caps["semanticTokensProvider"]["legend"]
        assert legend == {"tokenTypes": TOKEN_TYPES, "tokenModifiers": TOKEN_MODIFIERS}
        assert caps["semanticTokensProvider"]["full"] is True
    finally:
        client.kill()


# ---------------------------------------------------------------- completion


def test_completion_offers_declaration_keywords_at_the_top_level(server, project):
    text = MAIN + "\n"
    items = _complete(server, project / "main.pipe", text + "pi", "\npi")
    assert {"pipeline", "tenant", "runner", "profile", "enum", "import", "environment", "platform"} <= set(items)
    assert items["pipeline"]["kind"] == 14  # Keyword


def test_completion_offers_runner_parameters_with_type_and_default_inside_a_call(server, project):
    text = MAIN.replace('dbt_run(select = "stg_orders")', 'dbt_run(select = "stg_orders", )')
    items = _complete(server, project / "main.pipe", text, '"stg_orders", ')
    assert set(items) == {"exclude", "mode", "vars"}  # `select` is given already
    assert items["mode"]["detail"] == "load_mode = incremental"
    assert items["exclude"]["detail"] == "string? = none"
    assert items["mode"]["textEdit"]["newText"] == "mode = "


def test_completion_offers_enum_values_where_the_parameter_is_an_enum(server, project):
    text = MAIN.replace("mode = incremental", "mode = incr")
    items = _complete(server, project / "main.pipe", text, "mode = incr")
    assert set(items) == {"full_refresh", "incremental"}
    assert items["incremental"]["kind"] == 20  # EnumMember
    edit = items["incremental"]["textEdit"]
    line, col = find(text, "incr")
    assert edit["range"]["start"] == {"line": line, "character": col}


def test_completion_offers_built_in_enum_values_for_a_field(server, project):
    text = MAIN.replace("operator = docker", "operator = ")
    items = _complete(server, project / "main.pipe", text, "operator = ")
    assert set(items) == {"docker", "kubernetes"}


def test_completion_offers_the_fields_of_a_block_and_the_entries_it_may_hold(server, project):
    text = MAIN.replace('  schedule = "0 6 * * *"\n', '  schedule = "0 6 * * *"\n  \n')
    items = _complete(server, project / "main.pipe", text, '"0 6 * * *"\n  ')
    assert {"retries", "retry_delay", "timeout", "owner", "schedule", "tenants"} <= set(items)
    assert {"bronze", "silver", "gold", "when"} <= set(items)
    assert items["retries"]["kind"] == 5 and items["retries"]["textEdit"]["newText"] == "retries = "
    tenant_text = TENANTS.replace('  schema    = "acme"\n', '  schema    = "acme"\n  \n')
    items = _complete(server, project / "tenants.pipe", tenant_text, '"acme"\n  ')
    assert {"namespace", "quota", "enclave", "pool", "egress", "secret"} <= set(items)


def test_completion_offers_names_in_scope_for_values_and_runners_for_a_task(server, project):
    text = MAIN.replace("profile = large", "profile = ")
    items = _complete(server, project / "main.pipe", text, "profile = ")
    assert {"small", "medium", "large"} <= set(items)
    assert "postgres_extract" not in items  # a profile is expected
    text = MAIN.replace('task stg_orders = dbt_run(select = "stg_orders")', "task stg_orders = db")
    items = _complete(server, project / "main.pipe", text, "stg_orders = db")
    assert {"dbt_run", "dbt_test", "postgres_extract"} <= set(items)
    assert items["dbt_run"]["kind"] == 3  # Function


def test_completion_offers_the_pipelines_tasks_after_after(server, project):
    text = MAIN.replace("after extract_customers, extract_orders", "after ")
    items = _complete(server, project / "main.pipe", text, "after ")
    assert set(items) == {"extract_${t}"}  # not the task's own name


def test_completion_offers_after_once_the_task_call_is_written(server, project):
    text = MAIN.replace(" after extract_customers, extract_orders", " af")
    items = _complete(server, project / "main.pipe", text, '"stg_orders") af')
    assert set(items) == {"after"}


def test_completion_offers_tenants_in_the_tenants_list(server, project):
    items = _complete(server, project / "main.pipe", MAIN, "tenants  = [", )
    assert set(items) == {"acme"}


def test_completion_inside_an_interpolation_offers_what_it_may_name(server, project):
    text = MAIN.replace("postgres_extract(table = t,", 'postgres_extract(table = "${t',)
    items = _complete(server, project / "main.pipe", text, '"${t')
    assert {"t", "tenant.schema", "tenant.name", "run.ds", "platform.registry"} <= set(items)
    assert items["run.ds"]["textEdit"]["newText"] == "run.ds"
    text = MAIN + 'runner mine(table: string, rows: int) {\n  image = "i:${"\n}\n'
    items = _complete(server, project / "main.pipe", text, 'i:${')
    assert {"table", "rows", "tenant.schema"} <= set(items) and "run.ds" not in items  # no run values in runners
    assert _complete(server, project / "main.pipe", text.replace('"i:${"', '"i:$${"'), "i:$${") == {}


def test_completion_is_quiet_inside_strings_and_comments(server, project):
    items = _complete(server, project / "main.pipe", MAIN, '"0 6 ', )
    assert items == {}
    items = _complete(server, project / "main.pipe", MAIN, "/// Nightly")
    assert items == {}


# ---------------------------------------------------------------- references and rename


def test_references_of_a_tenant_across_files(server, project):
    _open(server, project / "main.pipe")
    line, col = find(MAIN, "[acme]", within=2)
    locs = server.request("textDocument/references", {
        "textDocument": {"uri": uri(project / "main.pipe")}, "position": {"line": line, "character": col},
        "context": {"includeDeclaration": True}})
    got = sorted((Path(l["uri"][len("file://"):]).name, l["range"]["start"]["line"]) for l in locs)
    assert got == [("main.pipe", line), ("tenants.pipe", 1)]
    without = server.request("textDocument/references", {
        "textDocument": {"uri": uri(project / "main.pipe")}, "position": {"line": line, "character": col},
        "context": {"includeDeclaration": False}})
    assert [Path(l["uri"]).name for l in without] == ["main.pipe"]


def test_references_of_a_std_runner_list_every_call(server, project):
    text = MAIN.replace("profile = large", "profile = large\n    }\n    task stg_more = dbt_run(select = \"x\") {\n"
                        "      profile = large")
    _open(server, project / "main.pipe", text)
    line, col = find(text, "dbt_run", within=1)
    locs = server.request("textDocument/references", {
        "textDocument": {"uri": uri(project / "main.pipe")}, "position": {"line": line, "character": col},
        "context": {"includeDeclaration": False}})
    assert [l["range"]["start"]["line"] for l in locs] == [find(text, "dbt_run")[0], find(text, "dbt_run", 1)[0]]


def test_rename_a_tenant_across_files_gives_a_workspace_edit_that_checks(server, project):
    main, tenants = project / "main.pipe", project / "tenants.pipe"
    _open(server, main)
    line, col = find(MAIN, "[acme]", within=1)
    prepared = server.at("textDocument/prepareRename", main, line, col)
    assert prepared == {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 4}}
    edit = server.request("textDocument/rename", {"textDocument": {"uri": uri(main)},
                                                  "position": {"line": line, "character": col}, "newName": "initech"})
    changes = edit["changes"]
    assert set(changes) == {uri(main), uri(tenants)}
    new_main, new_tenants = _apply(MAIN, changes[uri(main)]), _apply(TENANTS, changes[uri(tenants)])
    assert "tenants  = [initech]" in new_main and "tenant initech {" in new_tenants
    assert 'schema    = "acme"' in new_tenants  # strings are not names
    main.write_text(new_main, encoding="utf-8")
    tenants.write_text(new_tenants, encoding="utf-8")
    mark = server.mark()
    server.change(main, new_main, 2)
    assert server.diagnostics(main, mark) == []


def test_rename_a_loop_variable_edits_its_interpolations(server, project):
    main = project / "main.pipe"
    _open(server, main)
    line, col = find(MAIN, "for t in", within=4)
    edit = server.request("textDocument/rename", {"textDocument": {"uri": uri(main)},
                                                  "position": {"line": line, "character": col}, "newName": "tbl"})
    new = _apply(MAIN, edit["changes"][uri(main)])
    assert "for tbl in" in new and "task extract_${tbl} = postgres_extract(table = tbl," in new


def test_rename_a_runner_parameter_edits_the_call_sites(server, project):
    main = project / "main.pipe"
    text = MAIN.replace("pipeline sales", 'runner mine(table: string) {\n  image = "i:${table}"\n}\n\npipeline sales')
    text = text.replace("postgres_extract(table = t, mode = incremental)", "mine(table = t)")
    _open(server, main, text)
    line, col = find(text, "mine(table", within=6)
    edit = server.request("textDocument/rename", {"textDocument": {"uri": uri(main)},
                                                  "position": {"line": line, "character": col}, "newName": "name"})
    new = _apply(text, edit["changes"][uri(main)])
    assert "runner mine(name: string)" in new and '"i:${name}"' in new and "mine(name = t)" in new


@pytest.mark.parametrize("needle,within,message", [
    ("dbt_run(", 1, "standard library"),
    ("pipeline sales", 2, "keyword"),
    ("extract_${t}", 2, "made in a `for` loop"),
])
def test_rename_refuses_keywords_std_names_and_generated_task_names(server, project, needle, within, message):
    main = project / "main.pipe"
    _open(server, main)
    line, col = find(MAIN, needle, within=within)
    response = server.respond("textDocument/prepareRename", {"textDocument": {"uri": uri(main)},
                                                             "position": {"line": line, "character": col}})
    assert response["error"]["code"] == -32803 and message in response["error"]["message"]
    response = server.respond("textDocument/rename", {"textDocument": {"uri": uri(main)}, "newName": "x",
                                                      "position": {"line": line, "character": col}})
    assert response["error"]["code"] == -32803 and message in response["error"]["message"]


@pytest.mark.parametrize("new,message", [("Bad-Name", "is not a name"), ("task", "keyword"),
                                         ("stg_orders", "already has a task")])
def test_rename_refuses_names_that_would_not_parse_or_would_clash(server, project, new, message):
    main = project / "main.pipe"
    text = MAIN.replace("extract_customers, extract_orders", "extract_customers, extract_orders, other_task")
    text = text.replace("  silver {\n", "  silver {\n    task other_task = dbt_run(select = \"o\")\n")
    _open(server, main, text)
    line, col = find(text, "task other_task", within=6)
    response = server.respond("textDocument/rename", {"textDocument": {"uri": uri(main)}, "newName": new,
                                                      "position": {"line": line, "character": col}})
    assert response["error"]["code"] == -32803 and message in response["error"]["message"]


# ---------------------------------------------------------------- formatting


def test_formatting_gives_the_pipec_fmt_layout(server, project):
    main = project / "main.pipe"
    messy = MAIN.replace("tenants  = [acme]", "tenants=[ acme ]").replace("  silver {", "  silver   {")
    _open(server, main, messy)
    edits = server.request("textDocument/formatting", {"textDocument": {"uri": uri(main)},
                                                       "options": {"tabSize": 4, "insertSpaces": True}})
    assert _apply(messy, edits) == format_source("main.pipe", messy).text
    assert _apply(messy, edits) != messy


def test_formatting_a_formatted_file_changes_nothing_and_a_broken_one_is_left_alone(server, project):
    main = project / "main.pipe"
    clean = format_source("main.pipe", MAIN).text
    _open(server, main, clean)
    params = {"textDocument": {"uri": uri(main)}, "options": {"tabSize": 2, "insertSpaces": True}}
    assert server.request("textDocument/formatting", params) == []
    _open(server, main, clean.replace("pipeline sales {", "pipeline sales {{"))
    assert server.request("textDocument/formatting", params) is None


# ---------------------------------------------------------------- quick fixes


@pytest.mark.parametrize("wrong,right", [("profile = large", "profile = lareg"),
                                         ("mode = incremental", "mode = incremantal"),
                                         ("postgres_extract(", "postgres_extrakt(")])
def test_a_did_you_mean_diagnostic_has_a_quick_fix_that_clears_it(server, project, wrong, right):
    main = project / "main.pipe"
    text = MAIN.replace(wrong, right)
    diags = _open(server, main, text)
    errors = [d for d in diags if d["severity"] == 1]
    assert len(errors) == 1 and "did you mean" in errors[0]["message"]
    actions = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(main)}, "range": errors[0]["range"], "context": {"diagnostics": errors}})
    (action,) = actions
    assert action["kind"] == "quickfix" and action["isPreferred"] is True
    assert action["diagnostics"] == errors
    fixed = _apply(text, action["edit"]["changes"][uri(main)])
    assert fixed == MAIN
    mark = server.mark()
    server.change(main, fixed, 2)
    assert server.diagnostics(main, mark) == []


def test_no_quick_fix_where_there_is_no_suggestion(server, project):
    main = project / "main.pipe"
    text = MAIN.replace("profile = large", "profile = zzzzzzzz")
    diags = _open(server, main, text)
    error = next(d for d in diags if d["severity"] == 1)
    assert server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(main)}, "range": error["range"], "context": {"diagnostics": [error]}}) == []


# ---------------------------------------------------------------- semantic tokens


def _decode(text: str, data: list[int]) -> list[tuple[str, str, set[str]]]:
    lines = text.split("\n")
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        dl, dc, length, kind, mods = data[i:i + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        names = {m for b, m in enumerate(TOKEN_MODIFIERS) if mods & (1 << b)}
        out.append((lines[line][col:col + length], TOKEN_TYPES[kind], names))
    return out


def test_semantic_tokens_type_names_by_what_they_resolve_to(server, project):
    main = project / "main.pipe"
    _open(server, main)
    data = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri(main)}})["data"]
    tokens = _decode(MAIN, data)
    assert ("pipeline", "keyword", set()) in tokens
    assert ("sales", "class", {"declaration"}) in tokens
    assert ("postgres_extract", "function", {"defaultLibrary"}) in tokens
    assert ("incremental", "enumMember", {"defaultLibrary"}) in tokens
    assert ("table", "parameter", {"defaultLibrary"}) in tokens
    assert ("acme", "namespace", set()) in tokens
    assert ("t", "variable", {"declaration"}) in tokens
    assert ("extract_customers", "method", set()) in tokens
    assert ("large", "struct", {"defaultLibrary"}) in tokens
    assert ("schedule", "property", set()) in tokens
    assert ('"0 6 * * *"', "string", set()) in tokens
    assert ("/// Nightly sales numbers.", "comment", {"documentation"}) in tokens
    assert ("profile", "property", set()) in tokens  # a keyword used as a field name
    assert len(tokens) == len(data) // 5 and all(t[0] for t in tokens)


def test_semantic_tokens_of_a_broken_file_colour_what_lexes(server, project):
    main = project / "main.pipe"
    text = MAIN + "\npipeline broken { $$$ \n"
    _open(server, main, text)
    data = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri(main)}})["data"]
    tokens = _decode(text, data)
    assert ("sales", "class", {"declaration"}) in tokens

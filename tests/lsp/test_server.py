"""`pipec lsp` end to end: a real server process driven over stdio with JSON-RPC."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lsp_client import LspClient, uri
from lsp_support import MAIN, find

from pipec.resources import stdlib_dir

PUBLISH = "textDocument/publishDiagnostics"


def _symbols(server, path: Path) -> list[dict]:
    return server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(path)}})


# ---------------------------------------------------------------- lifecycle


def test_initialize_advertises_full_sync_hover_definition_and_outline(tmp_path):
    script = Path(sys.executable).parent / "pipec"  # what the VS Code extension runs: `pipec lsp`
    client = LspClient(tmp_path, [str(script), "lsp"] if script.is_file() else None)
    try:
        result = client.initialize(tmp_path)
        caps = result["capabilities"]
        assert caps["textDocumentSync"]["change"] == 1  # full
        assert caps["textDocumentSync"]["openClose"] is True
        assert caps["hoverProvider"] and caps["definitionProvider"] and caps["documentSymbolProvider"]
        assert caps["positionEncoding"] == "utf-16"
        assert result["serverInfo"]["name"] == "pipec"
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_lsp_without_pygls_names_the_extra_and_exits_2(tmp_path):
    # `None` in sys.modules makes `import pygls` fail exactly as if it were not installed
    code = "import sys; sys.modules['pygls'] = None; sys.argv = ['pipec', 'lsp']; " \
           "from pipec.cli import main; main()"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2
    assert "pip install 'pipec[lsp]'" in proc.stderr
    assert proc.stdout == ""


# ---------------------------------------------------------------- diagnostics


def test_broken_document_gets_diagnostics_and_a_fix_clears_them(server, project):
    main = project / "main.pipe"
    broken = MAIN.replace("profile = large", "profile = huge")
    mark = server.mark()
    server.open(main, broken)
    diags = server.diagnostics(main, mark)
    # std/profiles is unused now that the profile is undefined: a lint warning comes with the error
    assert sorted(d["code"] for d in diags) == ["E105", "W103"]
    diag = next(d for d in diags if d["code"] == "E105")
    line, col = find(broken, "huge")
    assert diag["range"] == {"start": {"line": line, "character": col},
                             "end": {"line": line, "character": col + 4}}
    assert diag["severity"] == 1 and diag["source"] == "pipec"
    assert "huge" in diag["message"]

    mark = server.mark()
    server.change(main, MAIN, 2)
    assert server.diagnostics(main, mark) == []


def test_syntax_error_code_range_and_help(server, tmp_path):
    doc = tmp_path / "alone.pipe"
    text = 'platform {\n  registry = "r" $\n}\n'
    mark = server.mark()
    server.open(doc, text)
    (diag,) = server.diagnostics(doc, mark)
    assert diag["code"] == "E002"
    assert diag["range"]["start"] == {"line": 1, "character": 17}
    assert "help:" in diag["message"]


def test_ranges_count_utf16_code_units_after_an_emoji(server, tmp_path):
    doc = tmp_path / "emoji.pipe"
    text = 'platform {\n  registry = "🦆🦆" $\n}\n'
    mark = server.mark()
    server.open(doc, text)
    (diag,) = server.diagnostics(doc, mark)
    # `$` is at code point 18 of its line, but each duck takes two UTF-16 code units
    assert text.split("\n")[1].index("$") == 18
    assert diag["range"] == {"start": {"line": 1, "character": 20}, "end": {"line": 1, "character": 21}}


def test_unsaved_buffer_of_an_imported_file_is_analysed_with_the_project(server, project):
    main, tenants = project / "main.pipe", project / "tenants.pipe"
    mark = server.mark()
    server.open(main)
    assert server.diagnostics(main, mark) == []
    server.open(tenants)
    mark = server.mark()
    renamed = (project / "tenants.pipe").read_text().replace("tenant acme", "tenant acme_corp")
    server.change(tenants, renamed, 2)
    diags = server.diagnostics(main, mark)  # the error is in main.pipe, the change in tenants.pipe
    (error,) = [d for d in diags if d["severity"] == 1]
    line, col = find(MAIN, "[acme]", within=1)
    assert error["range"]["start"] == {"line": line, "character": col}
    assert "did you mean `acme_corp`?" in error["message"]
    mark = server.mark()
    server.change(tenants, (project / "tenants.pipe").read_text(), 3)
    assert server.diagnostics(main, mark) == []


def test_errors_in_other_files_of_the_project_are_published_for_them(server, project):
    (project / "tenants.pipe").write_text("tenant acme {\n  schema = 42\n}\n", encoding="utf-8")
    mark = server.mark()
    server.open(project / "main.pipe")
    diags = server.diagnostics(project / "tenants.pipe", mark)
    assert diags and {d["severity"] for d in diags} == {1}
    assert any(d["range"]["start"]["line"] == 1 for d in diags)


def test_secondary_labels_become_related_information(server, tmp_path):
    doc = tmp_path / "twice.pipe"
    text = 'profile p { cpu = "1", memory = "1Gi" }\nprofile p { cpu = "2", memory = "2Gi" }\n'
    mark = server.mark()
    server.open(doc, text)
    diags = server.diagnostics(doc, mark)
    dup = next(d for d in diags if d["code"] == "E104")
    assert dup["range"]["start"] == {"line": 1, "character": 8}
    (related,) = dup["relatedInformation"]
    assert related["location"]["uri"] == uri(doc)
    assert related["location"]["range"]["start"] == {"line": 0, "character": 8}
    assert related["message"] == "first declared here"


def test_lint_warnings_are_published_as_warnings(server, tmp_path):
    doc = tmp_path / "lint.pipe"
    text = 'import "std/profiles"\nprofile p { cpu = "1", memory = "1Gi" }\n'
    mark = server.mark()
    server.open(doc, text)
    diags = server.diagnostics(doc, mark)
    unused = next(d for d in diags if d["code"] == "W103")
    assert unused["severity"] == 2
    assert unused["range"]["start"] == {"line": 0, "character": 0}


def test_lint_selection_of_pipec_toml_applies(server, project):
    (project / "pipec.toml").write_text('entry = ["main.pipe"]\n[lint]\nignore = ["W103"]\n', encoding="utf-8")
    main = project / "main.pipe"
    mark = server.mark()
    server.open(main, MAIN.replace('import "./tenants.pipe"', 'import "./tenants.pipe"\nimport "std/profiles"'))
    assert [d["code"] for d in server.diagnostics(main, mark)] in ([], ["E104"])


def test_the_editor_reports_what_pipec_lint_selects(server, project):
    """`[lint]` is applied once, as `pipec lint` applies it (prefixes in any case)."""
    (project / "pipec.toml").write_text('entry = ["main.pipe"]\n[lint]\nselect = ["w103"]\n', encoding="utf-8")
    (project / "colors.pipe").write_text("enum color { red }\n", encoding="utf-8")
    main = project / "main.pipe"
    mark = server.mark()
    server.open(main, MAIN.replace('import "./tenants.pipe"', 'import "./tenants.pipe"\nimport "./colors.pipe"'))
    assert [d["code"] for d in server.diagnostics(main, mark)] == ["W103"]


def test_a_file_no_entry_imports_is_analysed_on_its_own(server, project):
    stray = project / "stray.pipe"
    stray.write_text("profile p { cpu = 1 }\n", encoding="utf-8")
    mark = server.mark()
    server.open(stray)
    diags = server.diagnostics(stray, mark)
    assert diags and all(d["severity"] == 1 for d in diags)
    mark = server.mark()
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri(stray)}})
    assert server.diagnostics(stray, mark) == []


# ---------------------------------------------------------------- hover


def test_hover_on_a_runner_call_shows_signature_and_doc_comment(server, project):
    main = project / "main.pipe"
    server.open(main)
    hover = server.at("textDocument/hover", main, *find(MAIN, "dbt_run", within=2))
    value = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert "runner dbt_run(select: string" in value
    assert "Build dbt models" in value  # the `///` comment in stdlib/runners.pipe
    line, col = find(MAIN, "dbt_run")
    assert hover["range"] == {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 7}}


def test_hover_on_declarations_and_references(server, project):
    main = project / "main.pipe"
    server.open(main)
    on_name = server.at("textDocument/hover", main, *find(MAIN, "sales {"))["contents"]["value"]
    assert "pipeline sales" in on_name and "Nightly sales numbers." in on_name
    on_ref = server.at("textDocument/hover", main, *find(MAIN, "[acme]", within=2))["contents"]["value"]
    assert "tenant acme" in on_ref and "Acme Corp, our first customer." in on_ref
    on_profile = server.at("textDocument/hover", main, *find(MAIN, "large"))["contents"]["value"]
    assert 'profile large { cpu = "1", memory = "4Gi" }' in on_profile
    on_value = server.at("textDocument/hover", main, *find(MAIN, "incremental"))["contents"]["value"]
    assert "(enum value) load_mode.incremental" in on_value


def test_hover_on_nothing_is_null(server, project):
    main = project / "main.pipe"
    server.open(main)
    assert server.at("textDocument/hover", main, *find(MAIN, "/// Nightly", within=5)) is None
    assert server.at("textDocument/hover", main, *find(MAIN, '"0 6 * * *"', within=3)) is None


# ---------------------------------------------------------------- definition


def test_definition_of_a_profile_reference_jumps_into_the_stdlib(server, project):
    main = project / "main.pipe"
    server.open(main)
    (loc,) = server.at("textDocument/definition", main, *find(MAIN, "large", within=1))
    profiles = stdlib_dir() / "profiles.pipe"
    assert loc["uri"] == uri(profiles)
    line, col = find(profiles.read_text(encoding="utf-8"), "profile large", within=8)
    assert loc["range"] == {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 5}}


def test_definition_under_import_as(server, tmp_path):
    doc = tmp_path / "aliased.pipe"
    text = MAIN.replace('import "std/runners"', 'import "std/runners" as std') \
               .replace("= dbt_run(", "= std.dbt_run(").replace("= postgres_extract(", "= std.postgres_extract(")
    server.open(doc, text)
    (loc,) = server.at("textDocument/definition", doc, *find(text, "std.dbt_run", within=5))
    runners = stdlib_dir() / "runners.pipe"
    assert loc["uri"] == uri(runners)
    assert loc["range"]["start"] == {"line": find(runners.read_text(encoding="utf-8"), "runner dbt_run(")[0],
                                     "character": 7}


def test_definition_of_after_names_goes_to_the_task(server, project):
    main = project / "main.pipe"
    server.open(main)
    # `extract_customers` is declared by the loop as `extract_${t}`
    (loc,) = server.at("textDocument/definition", main, *find(MAIN, "after extract_customers", within=8))
    line, col = find(MAIN, "extract_${t}")
    assert loc["uri"] == uri(main)
    assert loc["range"] == {"start": {"line": line, "character": col},
                            "end": {"line": line, "character": col + len("extract_${t}")}}


def test_definition_of_a_plain_after_name(server, tmp_path):
    doc = tmp_path / "plain.pipe"
    text = MAIN.replace("after extract_customers, extract_orders", "after load") \
               .replace("silver {", "silver {\n    task load = dbt_run(select = \"x\")")
    server.open(doc, text)
    (loc,) = server.at("textDocument/definition", doc, *find(text, "after load", within=7))
    line, col = find(text, "task load", within=5)
    assert loc["range"]["start"] == {"line": line, "character": col}


# ---------------------------------------------------------------- outline


def test_document_symbols_outline_pipelines_with_their_tasks(server, project):
    main = project / "main.pipe"
    server.open(main)
    symbols = _symbols(server, main)
    assert [(s["name"], s["detail"]) for s in symbols] == [
        ("platform", "platform"), ("local", "environment"), ("sales", "pipeline")]
    sales = symbols[-1]
    assert [(t["name"], t["detail"]) for t in sales["children"]] == [
        ("extract_${t}", "bronze"), ("stg_orders", "silver")]
    line, col = find(MAIN, "stg_orders =")
    assert sales["children"][1]["selectionRange"]["start"] == {"line": line, "character": col}


def test_document_symbols_of_a_broken_file_keep_the_good_declarations(server, tmp_path):
    doc = tmp_path / "half.pipe"
    text = 'profile ok { cpu = "1", memory = "1Gi" }\nrunner r(a: string) {\n  image = \n}\n'
    server.open(doc, text)
    assert "ok" in [s["name"] for s in _symbols(server, doc)]


def test_hover_on_tasks_parameters_and_loop_variables(server, project):
    main = project / "main.pipe"
    server.open(main)
    on_after = server.at("textDocument/hover", main, *find(MAIN, "extract_orders {", within=3))["contents"]["value"]
    assert "task extract_${t} = postgres_extract(table = t, mode = incremental)" in on_after
    assert "`bronze` task of pipeline `sales`" in on_after
    on_arg = server.at("textDocument/hover", main, *find(MAIN, "table = t"))["contents"]["value"]
    assert "(parameter) table: string" in on_arg
    on_var = server.at("textDocument/hover", main, *find(MAIN, "${t}", within=2))["contents"]["value"]
    assert 'for t in ["customers", "orders"]' in on_var


def test_definition_of_an_import_opens_the_file(server, project):
    main = project / "main.pipe"
    server.open(main)
    (loc,) = server.at("textDocument/definition", main, *find(MAIN, "./tenants.pipe", within=3))
    assert loc["uri"] == uri(project / "tenants.pipe")
    (std,) = server.at("textDocument/definition", main, *find(MAIN, "std/profiles", within=3))
    assert std["uri"] == uri(stdlib_dir() / "profiles.pipe")


# ---------------------------------------------------------------- keeping up with files


def test_save_and_changes_on_disk_are_picked_up(server, project):
    main, tenants = project / "main.pipe", project / "tenants.pipe"
    mark = server.mark()
    server.open(main)
    assert server.diagnostics(main, mark) == []
    tenants.write_text(tenants.read_text().replace("tenant acme", "tenant other"), encoding="utf-8")
    mark = server.mark()
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(tenants), "type": 2}]})
    assert any(d["code"] == "E105" for d in server.diagnostics(main, mark))
    tenants.write_text(tenants.read_text().replace("tenant other", "tenant acme"), encoding="utf-8")
    mark = server.mark()
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri(main)}})
    assert server.diagnostics(main, mark) == []


def test_untitled_buffers_are_analysed_too(server):
    untitled = "untitled:Untitled-1"
    mark = server.mark()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": untitled, "languageId": "pipe", "version": 1,
                                                            "text": "profile p { cpu = 1 }\n"}})
    note = server.wait_for(lambda n: n.get("method") == PUBLISH and n["params"]["uri"] == untitled, after=mark)
    assert note["params"]["diagnostics"] and note["params"]["diagnostics"][0]["severity"] == 1


def test_utf8_positions_when_the_client_prefers_them(tmp_path):
    client = LspClient(tmp_path)
    try:
        result = client.initialize(tmp_path, general={"positionEncodings": ["utf-8", "utf-16"]})
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        doc = tmp_path / "emoji.pipe"
        mark = client.mark()
        client.open(doc, 'platform {\n  registry = "🦆é" $\n}\n')
        (diag,) = client.diagnostics(doc, mark)
        assert diag["range"]["start"] == {"line": 1, "character": 22}  # 16 ASCII + 4 + 2 bytes
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_broken_pipec_toml_is_reported_on_it(server, project):
    main, config = project / "main.pipe", project / "pipec.toml"
    mark = server.mark()
    server.open(main)
    assert server.diagnostics(main, mark) == []
    config.write_text('entry = ["main.pipe"]\ncolour = "blue"\n', encoding="utf-8")
    mark = server.mark()
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(config), "type": 2}]})
    (diag,) = server.diagnostics(config, mark)
    assert diag["code"] == "E706" and "colour" in diag["message"]
    config.write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    mark = server.mark()
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(config), "type": 2}]})
    assert server.diagnostics(config, mark) == []


def test_a_request_right_after_a_change_sees_the_new_text(server, project):
    main = project / "main.pipe"
    server.open(main)
    moved = "# a new first line\n\n" + MAIN
    server.change(main, moved, 2)  # analysed after a short quiet time, or at once for a request
    hover = server.at("textDocument/hover", main, *find(moved, "dbt_run", within=1))
    assert "runner dbt_run(" in hover["contents"]["value"]


def test_a_stdlib_file_opened_from_a_definition_has_hover_and_no_diagnostics(server):
    runners = stdlib_dir() / "runners.pipe"
    text = runners.read_text(encoding="utf-8")
    mark = server.mark()
    server.open(runners)
    assert server.diagnostics(runners, mark) == []
    hover = server.at("textDocument/hover", runners, *find(text, "profile = medium", within=10))
    assert "profile medium" in hover["contents"]["value"]

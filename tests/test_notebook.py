"""Jupyter notebooks: found, linted cell by cell across cells, fixed keeping everything but the changed sources."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from defaultlint.project import notebook
from defaultlint.api import Linter
from defaultlint.project.config import Settings
from defaultlint.project.discovery import discover

DATA = ROOT / "tests" / "data"
NOTEBOOK = DATA / "model.ipynb"


@pytest.fixture(scope="module")
def linter():
    return Linter(Settings(root=ROOT, select=["ALL"]))


def _code_cells(data):
    return [c for c in data["cells"] if c["cell_type"] == "code"]


def _cell_line(data, cell, row):
    return "".join(_code_cells(data)[cell - 1]["source"]).splitlines()[row - 1]


def test_findings_name_the_code_cell_and_the_row_in_it(linter):
    result = notebook.lint_notebook(linter, NOTEBOOK)
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    found = {(f.cell, f.location.row, f.location.column, f.api) for f in result.findings}
    assert (2, 2, 5, "torch.nn.Linear") in found
    assert (2, 3, 5, "torch.nn.BatchNorm1d") in found
    assert (4, 4, 7, "torch.optim.Adam") in found  # `torch` and `nn` were imported in cell 1
    for f in result.findings:
        line = _cell_line(data, f.cell, f.location.row)
        spelled = {"torch.nn.Linear": "nn.Linear(", "torch.nn.BatchNorm1d": "nn.BatchNorm1d(",
                   "torch.optim.Adam": "torch.optim.Adam("}[f.api]
        assert line[f.location.column - 1:].startswith(spelled)


def test_magics_and_shell_escapes_are_skipped_not_errors(linter):
    codes = {f.code for f in notebook.lint_notebook(linter, NOTEBOOK).findings}
    assert "DL001" not in codes
    # the `%%timeit` cell (code cell 3) runs its body as Python: the body is checked, the magic line is not
    assert {(f.cell, f.location.row) for f in notebook.lint_notebook(linter, NOTEBOOK).findings if f.cell == 3} \
        == {(3, 2)}


def test_mask_keeps_rows_and_indentation():
    text = "%matplotlib inline\nx = 1\nfor i in y:\n    !echo {i} \\\n      more\nfiles = !ls\nlen?\n# !not a magic"
    masked, lines = notebook.mask(text)
    assert lines == {0, 3, 4, 5, 6}
    out = masked.split("\n")
    assert len(out) == len(text.split("\n"))
    assert out[1] == "x = 1" and out[7] == "# !not a magic"
    assert out[3].startswith("    pass")
    compile(masked, "cell", "exec")
    whole, lines = notebook.mask("%%bash\necho hi\n")
    assert lines == {0, 1}
    compile(whole, "cell", "exec")


def test_a_syntax_error_hides_only_its_cell(linter, tmp_path):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    _code_cells(nb)[1]["source"] = ["y = 1\n", "def f(:\n", "    nn.BatchNorm1d(8)\n"]
    raw = json.dumps(nb, indent=1)
    findings = notebook.lint_text(linter, raw, "broken.ipynb")
    errors = [f for f in findings if f.code == "DL001"]
    assert [(f.cell, f.location.row) for f in errors] == [(2, 2)]
    assert errors[0].message.startswith("SyntaxError")
    # the cells after it are still checked, with the imports of the cells before it
    assert {f.api for f in findings if f.cell == 4} == {"torch.optim.Adam"}
    assert not [f for f in findings if f.cell == 2 and f.code != "DL001"]
    new, applied, _ = notebook.fix_text(linter, raw, "broken.ipynb")
    assert applied > 0
    cells = _code_cells(json.loads(new))
    assert cells[1]["source"] == ["y = 1\n", "def f(:\n", "    nn.BatchNorm1d(8)\n"]  # untouched
    assert "eps=1e-08" in "".join(cells[3]["source"])


def test_other_kernel_languages_are_not_checked(linter):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"] = {"name": "R"}
    assert notebook.lint_text(linter, json.dumps(nb), "r.ipynb") == []


def test_not_a_notebook_is_one_clear_finding(linter, tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    [f] = notebook.lint_notebook(linter, bad).findings
    assert f.code == "DL001" and f.message.startswith("not a valid notebook: invalid JSON")
    r = run_cli(bad, "--output-format", "concise", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "bad.ipynb:1:1: DL001 not a valid notebook" in r.stdout


def test_notebooks_are_discovered(tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(NOTEBOOK, tmp_path / "sub" / "model.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(NOTEBOOK, tmp_path / ".ipynb_checkpoints" / "model-checkpoint.ipynb")
    files, _ = discover([tmp_path], tmp_path)
    assert [p.name for p in files] == ["model.ipynb"]


def test_fix_changes_only_the_sources_of_the_changed_cells(tmp_path):
    target = tmp_path / "model.ipynb"
    shutil.copy(NOTEBOOK, target)
    before_text = target.read_text(encoding="utf-8")
    before = json.loads(before_text)
    r = run_cli(target, "--fix", "--select", "ALL", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # display-only findings remain
    after_text = target.read_text(encoding="utf-8")
    after = json.loads(after_text)
    assert after_text.endswith("}\n")
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert changed == [2, 3, 4]  # code cells 2, 3 (the %%timeit body) and 4
    for i in changed:
        a, b = before["cells"][i], after["cells"][i]
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
        assert list(a) == list(b)  # key order
        assert all(s.endswith("\n") for s in b["source"][:-1])
    assert {k: v for k, v in before.items() if k != "cells"} == {k: v for k, v in after.items() if k != "cells"}
    cell4 = "".join(after["cells"][4]["source"])
    assert "!echo {p.shape}" in cell4 and "files = !ls" in cell4 and cell4.endswith("nn.Dropout?")
    assert "eps=1e-08" in cell4
    # the layout is the file's own: one-space indentation, non-ASCII kept as is
    before_lines, after_lines = before_text.splitlines(), after_text.splitlines()
    assert len(before_lines) == len(after_lines)
    differing = [i for i, (a, b) in enumerate(zip(before_lines, after_lines)) if a != b]
    assert len(differing) == 4  # one fixed line in each of cells 2 and 3, two in cell 4
    assert "built ✓" in after_text


def test_fix_keeps_another_layout(linter, tmp_path):
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for c in data["cells"]:
        c["source"] = "".join(c["source"])  # sources as one string, not a list of lines
    raw = json.dumps(data, indent=2, ensure_ascii=True)  # no final newline, ASCII escapes
    new, applied, _ = notebook.fix_text(linter, raw, "model.ipynb")
    assert applied > 0
    assert not new.endswith("\n") and new.isascii() and "\\u2713" in new
    assert '\n  "cells": [' in new
    out = json.loads(new)
    assert isinstance(out["cells"][2]["source"], str)
    assert "momentum=0.1" in out["cells"][2]["source"]


def test_fix_notebook_api_writes_nothing(linter, tmp_path):
    target = tmp_path / "model.ipynb"
    shutil.copy(NOTEBOOK, target)
    result = notebook.fix_notebook(linter, target)
    assert result.fixes_applied > 0 and result.fixed_source is not None
    assert target.read_text(encoding="utf-8") == NOTEBOOK.read_text(encoding="utf-8")
    again = notebook.lint_text(linter, result.fixed_source, str(target))
    assert not [f for f in again if f.fixable and f.fix.applicability == "safe"]


def test_json_output_reports_cells_and_cell_relative_edits(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path / "model.ipynb")
    r = run_cli("model.ipynb", "--output-format", "json", "--select", "DL201", cwd=tmp_path)
    d, timeit = json.loads(r.stdout)
    assert (timeit["cell"], timeit["location"]["row"]) == (3, 2)  # the %%timeit cell's body
    assert d["cell"] == 2 and d["location"] == {"row": 3, "column": 5}
    [edit] = d["fix"]["edits"]
    assert edit["location"]["row"] == 3 and edit["end_location"]["row"] == 3


def test_full_output_shows_the_cell_line(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path / "model.ipynb")
    r = run_cli("model.ipynb", "--select", "DL201", cwd=tmp_path)
    assert "model.ipynb:cell 2:3:5: DL201" in r.stdout
    assert "3 |     nn.BatchNorm1d(8)," in r.stdout


def test_notebook_names_stay_notebooks():
    assert notebook.is_notebook(Path("a/b.ipynb")) and not notebook.is_notebook("a.py")


LINES = ["import torch", "%matplotlib inline", "!pip install x \\", "  --quiet", "x = !ls", "obj?", "",
         "for i in range(3):", "    !echo {i}", "    y = torch.nn.BatchNorm2d(i)", "%%time", "# !comment", "z = (",
         "  1)", "s = '''%not", "!still a string'''", "é = 1"]


def test_unchanged_cells_write_back_byte_for_byte():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cell = st.lists(st.sampled_from(LINES), max_size=6).map(lambda ls: "\n".join(ls))
    cells = st.lists(st.tuples(st.sampled_from(["code", "markdown"]), cell, st.booleans()), max_size=5)

    @settings(max_examples=200, deadline=None)
    @given(cells, st.sampled_from([None, 1, 2, "\t"]), st.booleans())
    def check(spec, indent, newline):
        data = {"cells": [{"cell_type": t, "metadata": {}, "source": src.splitlines(keepends=True) if as_list else src}
                          for t, src, as_list in spec], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        raw = json.dumps(data, indent=indent, ensure_ascii=False) + ("\n" if newline else "")
        nb = notebook.Notebook(raw)
        assert nb.with_text(nb.text) == raw
        for c in nb.cells:
            masked, _ = notebook.mask(c.text)
            assert masked.count("\n") == c.text.count("\n")
        # a changed cell is written back in the file's own layout
        if nb.cells:
            first = nb.cells[0]
            chunks = nb.text.split(nb.boundary + "\n")
            chunks[0] = "changed = 1\n" + chunks[0]
            out = nb.with_text((nb.boundary + "\n").join(chunks))
            assert "".join(json.loads(out)["cells"][first.index]["source"]).startswith("changed = 1\n")
            assert out == dump_like(json.loads(out), raw)
            assert out.endswith("\n") == newline

    check()


def test_a_carriage_return_in_one_cell_does_not_shift_the_next_cells():
    cells = [{"cell_type": "code", "source": "import torch.nn as nn\rx = 1\n", "metadata": {}, "outputs": [],
              "execution_count": None},
             {"cell_type": "code", "source": "bn = nn.BatchNorm2d(3)", "metadata": {}, "outputs": [],
              "execution_count": None}]
    raw = json.dumps({"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
                      "nbformat_minor": 5})
    found = Linter(Settings(root=ROOT)).lint_text(raw, "m.ipynb")
    assert [(f.code, f.cell, tuple(f.location), tuple(f.end_location)) for f in found] == [
        ("DL201", 2, (1, 6), (1, 23))]


def _nb(cells, **extra) -> str:
    data = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
                      for c in cells], "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
            "nbformat_minor": 5, **extra}
    return json.dumps(data, indent=1) + "\n"


def test_user_lines_that_look_like_internal_markers_are_kept(tmp_path):
    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    cells = ["import torch.nn as nn\n# defaultlint-masked-line-0\n# defaultlint-cell-boundary\n",
             "%matplotlib inline\nbn = nn.BatchNorm2d(4)  # defaultlint-masked-line-0\n"]
    p = tmp_path / "n.ipynb"
    p.write_text(_nb(cells), encoding="utf-8")
    r = Linter(Settings(root=tmp_path, select=["DL201"])).lint_file(p, fix=True)
    assert r.error is None
    fixed = json.loads(p.read_text(encoding="utf-8"))["cells"]
    assert fixed[0]["source"] == cells[0]
    assert fixed[1]["source"] == ("%matplotlib inline\nbn = nn.BatchNorm2d(4, momentum=0.1)  "
                                  "# defaultlint-masked-line-0\n")


def test_fixing_keeps_the_files_json_layout_and_numbers(tmp_path):
    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    raw = ('{"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"outputs":[],'
           '"source":["import torch.nn as nn\\n","bn = nn.BatchNorm2d(4)"]}],'
           '"metadata":{"big":1e400,"language_info":{"name":"python"}},"nbformat":4,"nbformat_minor":5}\r\n')
    p = tmp_path / "n.ipynb"
    p.write_bytes(raw.encode())
    Linter(Settings(root=tmp_path, select=["DL201"])).lint_file(p, fix=True)
    assert p.read_bytes().decode() == raw.replace('"bn = nn.BatchNorm2d(4)"', '"bn = nn.BatchNorm2d(4, momentum=0.1)"')


def test_add_noqa_writes_into_cells_not_json(tmp_path):
    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    p = tmp_path / "n.ipynb"
    p.write_text(_nb(["import torch.nn as nn\n", "bn = nn.BatchNorm2d(4)\n"]), encoding="utf-8")
    linter = Linter(Settings(root=tmp_path, select=["DL201"]))
    r = linter.add_noqa_file(p)
    data = json.loads(p.read_text(encoding="utf-8"))
    assert data["cells"][1]["source"] == "bn = nn.BatchNorm2d(4)  # noqa: DL201\n"
    assert r.fixes_applied == 1 and linter.lint_file(p).findings == []


# the layout json.dumps would give the file (an oracle for the splicing writer)
def dump_like(data: dict, raw: str) -> str:
    """JSON text of `data` laid out as `raw` was: indentation, ASCII escaping and final newline."""
    m = notebook._INDENT_LINE.search(raw)
    indent: int | str | None = None
    if m:
        ws = m.group("indent")
        indent = len(ws) if set(ws) == {" "} else ws
    ensure_ascii = raw.isascii() and "\\u" in raw
    text = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)
    if raw.endswith("\n"):
        text += "\n"
    return text


def test_the_body_of_a_python_cell_magic_is_checked_and_other_cell_magics_are_not(tmp_path):
    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    p = tmp_path / "n.ipynb"
    p.write_text(_nb(["import torch.nn as nn\n", "%%time\nbn = nn.BatchNorm2d(4)\n",
                      "%%bash\nbn = nn.BatchNorm2d(4)\n"]), encoding="utf-8")
    linter = Linter(Settings(root=tmp_path, select=["DL201"]))
    found = linter.lint_file(p).findings
    assert [(f.cell, f.location.row) for f in found] == [(2, 2)]
    linter.lint_file(p, fix=True)
    cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
    assert cells[1]["source"] == "%%time\nbn = nn.BatchNorm2d(4, momentum=0.1)\n"
    assert cells[2]["source"] == "%%bash\nbn = nn.BatchNorm2d(4)\n"


def test_ci_formats_point_at_the_lines_of_the_notebook_file(tmp_path):
    import json as _json

    from defaultlint.api import Linter
    from defaultlint.formats import ci, sarif
    from defaultlint.project.config import Settings
    from defaultlint.project.tables import load_table

    raw = _nb(["import torch.nn as nn\n", "x = 1\nbn = nn.BatchNorm2d(4)\n"])
    p = tmp_path / "n.ipynb"
    p.write_text(raw, encoding="utf-8")
    result = Linter(Settings(root=tmp_path, select=["DL201"])).lint_file(p)
    (f,) = result.findings
    line = next(i for i, text in enumerate(raw.splitlines(), 1) if "bn = nn.BatchNorm2d(4)" in text)
    assert (f.cell, f.location.row) == (2, 2)
    assert f",line={line}," in ci.render_github([result])
    assert _json.loads(ci.render_gitlab([result]))[0]["location"]["lines"] == {"begin": line, "end": line}
    region = sarif.sarif_log([result], load_table())["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert region["region"] == {"startLine": line, "endLine": line}

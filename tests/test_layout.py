"""The layout shows the architecture, and a test keeps it so: a pure core; pygls only in the server; the
terminal libraries only around the command line; no module names a framework package; no import cycle
among the output formats."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from defaultlint.project.tables import load_table

PACKAGE = ROOT / "defaultlint"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
STDLIB = set(sys.stdlib_module_names)


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", [p for p in MODULES if _rel(p).startswith("core/")], ids=_rel)
def test_the_core_is_pure(path: Path):
    for name in _imports(path):
        top = name.split(".")[0]
        assert top in STDLIB or top == "libcst" or name.startswith("defaultlint.core"), f"{_rel(path)} imports {name}"
    text = path.read_text(encoding="utf-8")
    for io in ("open(", ".read_text(", ".read_bytes(", ".write_text(", ".write_bytes(", "os.environ", "sys.stdout"):
        assert io not in text, f"{_rel(path)} does file or process I/O ({io})"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_libraries_stay_in_their_layer(path: Path):
    rel = _rel(path)
    for name in _imports(path):
        top = name.split(".")[0]
        if top in ("pygls", "lsprotocol"):
            assert rel.startswith("server/") or rel == "cli.py", f"{rel} imports {name}"
        if top in ("click",):
            assert rel == "cli.py", f"{rel} imports {name}"
        if top == "rich":
            assert rel in ("formats/terminal.py", "formats/report.py", "cli.py") or rel.startswith("audit/"), rel
        assert name != "defaultlint.cli" or rel == "__main__.py", f"{rel} imports the command line"


def test_no_engine_module_names_a_framework_package():
    roots = {root for fw in load_table().frameworks.values() for root in fw.roots}
    for path in MODULES:
        if _rel(path).startswith("tools/"):
            continue  # table tooling imports the frameworks on purpose
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                word = node.value.split(".")[0]
                assert word not in roots, f"{_rel(path)}:{node.lineno} names {node.value!r}"


@pytest.mark.parametrize("module", ["defaultlint.formats." + p.stem for p in (PACKAGE / "formats").glob("*.py")
                                    if p.stem != "__init__"])
def test_each_output_format_imports_on_its_own(module: str):
    r = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-1500:]


def test_format_registry_renders_every_machine_format():
    from defaultlint.formats import MACHINE_FORMATS, render

    table = load_table()
    for fmt in MACHINE_FORMATS:
        assert isinstance(render(fmt, [], table), str)
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [], table)

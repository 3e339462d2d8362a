"""A framework joins by data alone: a temporary rules folder with a new root package (an entry in
frameworks.toml and a folder of rows) gives findings, fixes, hover and manifest entries, with no code
change. The facts below are test data in a temporary folder, not shipped rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from defaultlint.api import Linter
from defaultlint.audit.manifest import entries_for_text
from defaultlint.core.checker import Rules
from defaultlint.formats.hover import call_at
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table, rules_dir

FRAMEWORK = '''
[[framework]]
name = "visionlib"
display = "VisionLib"
family = "torch"
roots = ["visionlib"]
distributions = ["visionlib"]
classes_are_capitalized = true
'''

ROWS = '''
[meta]
framework = "visionlib"
verified_version = "0.5.0"

[[api]]
name = "visionlib.transforms.RandomRotation"
spellings = ["visionlib.transforms.transforms.RandomRotation"]
kind = "class"
category = "data"
signature = "(degrees, expand=False, center=None, fill=0)"
'''

SOURCE = "from visionlib import transforms\n\nrot = transforms.RandomRotation(30)\n"


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    shutil.copytree(rules_dir(), root, dirs_exist_ok=True)
    frameworks = root / "frameworks.toml"
    text = frameworks.read_text(encoding="utf-8")
    cut = text.index("[namespaces]")
    frameworks.write_text(text[:cut] + FRAMEWORK.lstrip() + "\n" + text[cut:], encoding="utf-8")
    (root / "visionlib").mkdir()
    (root / "visionlib" / "transforms.toml").write_text(ROWS.lstrip(), encoding="utf-8")
    return load_table(str(root))


def test_findings_and_fixes_for_a_file_importing_only_the_new_package(table):
    linter = Linter(Settings(root=Path("."), select=["ALL"]), table)
    findings = linter.lint_text(SOURCE, "aug.py")
    assert [(f.code, f.api, f.parameters) for f in findings] == [
        ("DL609", "visionlib.transforms.RandomRotation", [("expand", "False")]),
        ("DL609", "visionlib.transforms.RandomRotation", [("center", "None")]),
        ("DL609", "visionlib.transforms.RandomRotation", [("fill", "0")]),
    ]
    assert "VisionLib 0.5" in findings[0].message
    fixed, _, _ = linter.fix_text(SOURCE, "aug.py")
    assert fixed == ("from visionlib import transforms\n\n"
                     "rot = transforms.RandomRotation(30, expand=False, center=None, fill=0)\n")


def test_hover_and_manifest_know_the_new_package(table):
    rules = Rules(frozenset(table.codes))
    info = call_at(table, rules, SOURCE, SOURCE.index("RandomRotation") + 2)
    assert info is not None and info.api == "visionlib.transforms.RandomRotation"
    assert info.framework.startswith("VisionLib 0.5")
    assert [(p.name, p.value, p.explicit) for p in info.params] == [
        ("degrees", "30", True), ("expand", "False", False), ("center", "None", False), ("fill", "0", False)]
    entries = entries_for_text(SOURCE, "aug.py", table, rules)
    assert [e.api for e in entries] == ["visionlib.transforms.RandomRotation"]


def test_the_shipped_table_does_not_know_it():
    linter = Linter(Settings(root=Path("."), select=["ALL"]), load_table())
    assert linter.lint_text(SOURCE, "aug.py") == []

"""Every consumer asks core.semantics, so they agree on the value in force: the checker (and its fix),
the editor's hover and `manifest`. Pinned on the cases where separate copies once disagreed."""

from __future__ import annotations

from pathlib import Path

from defaultlint.api import Linter
from defaultlint.audit.manifest import entries_for_text
from defaultlint.core.checker import Rules
from defaultlint.core.versions import parse_range
from defaultlint.formats.hover import call_at
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table

TABLE = load_table()
RULES = Rules(frozenset(TABLE.codes))


def _views(source: str, api: str):
    findings = Linter(Settings(root=Path("."), select=["ALL"]), TABLE).lint_text(source, "m.py")
    reported = {p: v for f in findings if f.api == api for p, v in f.parameters}
    info = call_at(TABLE, RULES, source, source.rindex("(") - 1)
    hover = {p.name: (p.value, p.explicit) for p in info.params}
    entry = next(e for e in entries_for_text(source, "m.py", TABLE, RULES) if e.api == api)
    manifest = {h.name: (h.value, h.source) for h in entry.params}
    return reported, hover, manifest, entry


def test_a_deprecated_alias_sets_the_value_everywhere():
    reported, hover, manifest, entry = _views("import torch\ns = torch.std(x, unbiased=False)\n", "torch.std")
    assert "correction" not in reported  # set through its alias: nothing to report
    assert hover["correction"] == ("0", True)
    assert manifest["correction"] == ("0", "explicit")
    assert entry.get("correction").note == "set as unbiased=False"


def test_a_parameter_that_does_not_apply_is_nowhere():
    reported, hover, manifest, _ = _views("import torch.nn as nn\nup = nn.Upsample(scale_factor=2)\n",
                                          "torch.nn.Upsample")
    assert "align_corners" not in reported
    assert "align_corners" not in hover
    assert "align_corners" not in manifest
    assert reported["mode"] == "'nearest'" and hover["mode"] == ("'nearest'", False)


def test_the_parameter_applies_once_the_mode_interpolates():
    reported, hover, manifest, _ = _views(
        "import torch.nn as nn\nup = nn.Upsample(scale_factor=2, mode='bilinear')\n", "torch.nn.Upsample")
    assert reported["align_corners"] == "False"
    assert hover["align_corners"] == ("False", False)
    assert manifest["align_corners"] == ("False", "implicit")


def test_versions_are_shown_as_written():
    source = "import torch\nopt = torch.optim.Adam(params)\n"
    rules = Rules(frozenset(TABLE.codes), {"torch": parse_range("<2.2")})
    entry = entries_for_text(source, "m.py", TABLE, rules)[0]
    assert entry.version == "<2.2"
    settings = Settings(root=Path("."), select=["ALL"], target_version={"torch": "2.4"})
    messages = [f.message for f in Linter(settings, TABLE).lint_text(source, "m.py")]
    assert messages and all("2.4.999" not in m and "PyTorch 2.4" in m for m in messages)

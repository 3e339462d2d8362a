"""Documentation generated from the table stays current."""

from conftest import ROOT
from defaultlint.formats.ruledoc import rules_markdown
from defaultlint.project.tables import load_table


def test_rules_md_is_generated_from_the_current_table():
    expected = rules_markdown(load_table())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run `python -m defaultlint.formats.ruledoc --write docs/rules.md`"


def test_every_code_is_documented_with_every_api_it_covers():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    table = load_table()
    for code in table.codes:
        assert f"## {code}-" in text
    for name in ("torch.nn.BatchNorm2d", "keras.layers.BatchNormalization", "torch.optim.Adam", "keras.Model.fit"):
        assert f"`{name}`" in text

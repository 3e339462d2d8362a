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


def test_table_format_reference_is_generated_from_the_schema():
    from defaultlint.formats.tabledoc import with_reference

    text = (ROOT / "docs" / "table-format.md").read_text(encoding="utf-8")
    assert text == with_reference(text), ("docs/table-format.md is stale: run "
                                          "`python -m defaultlint.formats.tabledoc --write docs/table-format.md`")


def test_table_format_documents_every_key_of_the_schema():
    from defaultlint.core.schema import every_key

    text = (ROOT / "docs" / "table-format.md").read_text(encoding="utf-8")
    for shape, keys in every_key().items():
        section = text.split(f"### {shape}\n", 1)[1].split("\n### ", 1)[0]
        for key in keys:
            assert f"| `{key}` |" in section, f"{shape}: {key} undocumented"


def test_the_row_shown_in_table_format_is_valid():
    import re
    import tomllib

    from defaultlint.core.schema import ROWS_FILE, validate

    text = (ROOT / "docs" / "table-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        validate(tomllib.loads(block), ROWS_FILE, "docs/table-format.md")


def test_readme_excerpts_match_real_runs():
    """The output the README shows is what the shipped examples give (line breaks aside)."""
    import re

    from conftest import run_cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    flat = lambda text: " ".join(text.split())  # noqa: E731

    finding = readme.split("A finding:\n\n```\n", 1)[1].split("```", 1)[0]
    check = run_cli("examples/", "--no-cache", "--color", "never")
    assert flat(finding) in flat(check.stdout)

    excerpt = readme.split("An excerpt of the report on the shipped examples:\n\n```\n", 1)[1].split("```", 1)[0]
    report = run_cli("compare", "examples/keras_classifier.py", "examples/torch_port.py", env={"COLUMNS": "400"})
    summary = excerpt.strip().splitlines()[-1]
    assert summary in report.stdout
    for header in re.findall(r"^examples/\S+ ↔ examples/\S+ .*$", excerpt, flags=re.M):
        assert header in report.stdout


def test_install_instructions_work_from_a_clone():
    """defaultlint is not on PyPI and has no release tag: no page may tell users to install it from there or
    to pin a tag; the full test install takes torch's CPU-only build."""
    import re

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"pip install [\"']?defaultlint\b", text), page.name
        assert not re.search(r"^\s*rev:\s*v\d", text, re.M), page.name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[test,verify]" --extra-index-url https://download.pytorch.org/whl/cpu' in readme

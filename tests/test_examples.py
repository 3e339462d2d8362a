"""Tests generated from the examples the table carries (`[[api.example]]` in a row, `[[code.example]]` in
codes.toml): each reports exactly its expected codes, fixes to exactly its fixed text, and a second fix
changes nothing. Absent `fixed` means the safe fixes change nothing; absent `unsafe_fixed`, that the unsafe
ones add nothing to the safe ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from defaultlint.api import Linter
from defaultlint.core.table import Example
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table

TABLE = load_table()
EXAMPLES: list[Example] = [e for api in TABLE.apis.values() for e in api.examples] + [
    e for code in TABLE.codes.values() for e in code.examples]


def _linter(example: Example) -> Linter:
    settings = Settings(root=Path("."), select=list(example.select), target_version=dict(example.target))
    return Linter(settings, TABLE)


def _id(example: Example) -> str:
    return f"{example.where.split(': ')[-1]}-{'invalid' if example.expect else 'valid'}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[_id(e) for e in EXAMPLES])
def test_example(example: Example):
    linter = _linter(example)
    found = sorted({f.code for f in linter.lint_text(example.code, "example.py")})
    assert found == sorted(example.expect)

    safe = example.fixed if example.fixed is not None else example.code
    new, _, _ = linter.fix_text(example.code, "example.py")
    assert new == safe
    unsafe = example.unsafe_fixed if example.unsafe_fixed is not None else safe
    new_unsafe, _, remaining = linter.fix_text(example.code, "example.py", unsafe=True)
    assert new_unsafe == unsafe
    again, applied, _ = linter.fix_text(new_unsafe, "example.py", unsafe=True)
    assert (again, applied) == (new_unsafe, 0)  # a second fix changes nothing


def test_every_fixable_code_has_an_example_with_its_exact_fixed_text():
    fixed = {c.code for c in TABLE.codes.values() for e in c.examples
             if e.fixed is not None or e.unsafe_fixed is not None}
    fixed |= {code for api in TABLE.apis.values() for e in api.examples
              if e.fixed is not None or e.unsafe_fixed is not None for code in e.expect}
    fixable = {c.code for c in TABLE.codes.values() if c.params}  # codes that report parameters have fixes
    missing = sorted(fixable - fixed)
    assert not missing, f"fixable codes without an example carrying its fixed text: {missing}"


def test_examples_are_checked_by_the_table_loader():
    assert len(EXAMPLES) >= 25
    assert all(e.where for e in EXAMPLES)

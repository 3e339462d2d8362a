"""Recall and precision on real code of the training libraries and of JAX (tests/data/libs, excerpts of the
examples and modules the packages ship): the linter reports exactly the labelled hidden defaults less the
labelled misses plus the labelled spurious findings, so any change in what it finds on real code shows here as
a change of these labels."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT
from defaultlint.api import Linter
from defaultlint.project.config import Settings

DATA = Path(__file__).parent / "data" / "libs"
LABELS = tomllib.loads((DATA / "labels.toml").read_text(encoding="utf-8"))["file"]


# the default selection with the `port` preset: what a user of both frameworks sees without options (the
# labels were made for it)
LINTER = Linter(Settings(root=ROOT, preset=["port"]))


def _found(path: Path) -> set[str]:
    return {f"{f.location.row}:{f.code}" for f in LINTER.lint_text(path.read_text(encoding="utf-8"), path.name)}


@pytest.mark.parametrize("label", LABELS, ids=[x["path"] for x in LABELS])
def test_findings_on_real_code_are_the_labelled_ones(label):
    expect = set(label["expect"])
    missed = {m["at"] for m in label.get("missed", ())}
    spurious = {s["at"] for s in label.get("spurious", ())}
    assert missed <= expect and not spurious & expect
    assert _found(DATA / label["path"]) == (expect - missed) | spurious


def test_every_file_is_labelled():
    assert sorted(p.name for p in DATA.glob("*.py")) == sorted(x["path"] for x in LABELS)


def test_recall_and_precision(verification_summary):
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # true positives, false negatives, false positives
    for label in LABELS:
        missed = len(label.get("missed", ()))
        c = counts[label["ecosystem"]]
        c[0] += len(label["expect"]) - missed
        c[1] += missed
        c[2] += len(label.get("spurious", ()))
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    for name, (tp, fn, fp) in sorted(counts.items()) + [("all", tuple(total))]:
        recall = f"{tp / (tp + fn):.2f}" if tp + fn else "n/a"
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "n/a"
        verification_summary.append(f"real code, {name}: {tp} found, {fn} missed, {fp} spurious: "
                                    f"recall {recall}, precision {precision}")
    assert total == [46, 17, 11]

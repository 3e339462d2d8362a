"""Accuracy on real third-party code (tests/accuracy/files, labelled in tests/accuracy/labels; method in
docs/accuracy.md): findings judged wrong and since fixed stay absent, and recall and precision never fall
below the figures the documentation reports."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules["bench_accuracy"] = accuracy
_spec.loader.exec_module(accuracy)

LABELS = accuracy.all_labels()
# The figures of docs/accuracy.md, rounded down: a change may raise them (then raise these), never lower them.
FLOORS = {"ALL": {"recall": 0.96, "precision": 0.99}, "default": {"recall": 0.93, "precision": 0.98}}


@pytest.fixture(scope="module")
def linters():
    return accuracy.linters()


@pytest.fixture(scope="module")
def figures():
    return accuracy.measure()


def test_every_file_is_labelled_third_party_code_with_its_source_and_licence():
    files = sorted(p.name for p in accuracy.FILES.glob("*.py"))
    assert files == sorted(lab.name for lab in LABELS)
    assert len(files) >= 25
    frameworks = [lab.framework for lab in LABELS]
    assert min(frameworks.count("torch"), frameworks.count("keras/tensorflow")) >= 10
    for name in files:
        text = (accuracy.FILES / name).read_text(encoding="utf-8")
        head = text.splitlines()[:4]
        assert head[1].startswith("# package: ") and head[2].startswith("# original path: ")
        assert head[3].split(": ", 1)[1] in {"MIT", "MIT-0", "Apache-2.0", "BSD-3-Clause"}, name
        ast.parse(text)


@pytest.mark.parametrize("labels", LABELS, ids=lambda lab: lab.name)
def test_labels_point_at_calls_of_the_file(labels):
    lines = (accuracy.FILES / labels.name).read_text(encoding="utf-8").splitlines()
    keys = (labels.expected["ALL"] | labels.expected["default"] | set(labels.extra) | set(labels.false))
    for line, api, param in keys:
        assert 1 <= line <= len(lines) and api and param, (labels.name, line, api, param)
    assert labels.expected["default"] <= labels.expected["ALL"], labels.name


@pytest.mark.parametrize("labels", LABELS, ids=lambda lab: lab.name)
def test_fixed_false_findings_stay_absent(labels, linters):
    for selection, linter in linters.items():
        back = labels.fixed & accuracy.reported_keys(labels, linter)
        assert not back, f"{labels.name} ({selection}): findings judged wrong are reported again: {sorted(back)}"


@pytest.mark.parametrize("selection", list(FLOORS))
def test_recall_and_precision_do_not_fall(selection, figures):
    total = figures[selection]["total"]
    assert total.expected >= 600 if selection == "ALL" else total.expected >= 150
    assert total.recall >= FLOORS[selection]["recall"], f"recall {total.recall:.3f}"
    # a finding no label mentions counts as wrong: label it (expected, extra or false) to count it
    assert total.precision >= FLOORS[selection]["precision"], (
        f"precision {total.precision:.3f}; unjudged: "
        + ", ".join(f"{n}:{k}" for n, s in figures[selection].items() for k in s.unjudged_keys))

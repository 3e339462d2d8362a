"""Recall and precision of defaultlint on the labelled third-party files in tests/accuracy/.

    python bench/accuracy.py            # per-file and total figures for --select ALL and the default selection
    python bench/accuracy.py --misses   # also every expected finding not reported, and every finding judged false
    python bench/accuracy.py --json     # the figures as JSON

Each file in tests/accuracy/files/ has a label file in tests/accuracy/labels/ (same stem, TOML):
`[[expected]]` entries name, per call (line, API), the hyperparameters a porting engineer needs written down
(`all` for --select ALL, `default` for the default selection); `[[extra]]` entries are findings judged
correct but not required; `[[false]]` entries are findings judged wrong, each with its reason.

A finding is identified by (line, API, parameter): the line where the call starts, the API's canonical name,
and the parameter's name (or the hyperparameter the message names, e.g. "weight initialisation"; for a
program-wide flag, the API is empty and the parameter is the code). Recall is the share of expected
(line, API, parameter) triples that are reported. Precision is the share of reported triples that are
expected or judged correct; a reported triple no label mentions counts as wrong until someone labels it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from defaultlint.api import Linter  # noqa: E402
from defaultlint.project.config import Settings  # noqa: E402

ACCURACY = REPO / "tests" / "accuracy"
FILES = ACCURACY / "files"
LABELS = ACCURACY / "labels"
SELECTIONS = {"ALL": ["ALL"], "default": []}

Key = tuple[int, str, str]


def finding_keys(finding) -> list[Key]:
    row = finding.location.row
    if not finding.api:
        return [(row, "", finding.code)]
    if finding.parameters:
        return [(row, finding.api, name) for name, _ in finding.parameters]
    what = finding.message.split(": ", 1)[-1].split(" is implicit", 1)[0].strip("`")
    return [(row, finding.api, what)]


@dataclass
class Labels:
    name: str
    framework: str
    expected: dict[str, set[Key]]  # selection -> expected keys
    extra: dict[Key, str]
    false: dict[Key, str]
    fixed: set[Key] = field(default_factory=set)  # false findings no longer reported: they must stay absent


def load_labels(path: Path) -> Labels:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    expected = {sel: set() for sel in SELECTIONS}
    for e in doc.get("expected", []):
        for p in e["all"]:
            expected["ALL"].add((e["line"], e["api"], p))
        for p in e["default"]:
            expected["default"].add((e["line"], e["api"], p))
    judged: dict[str, dict[Key, str]] = {"extra": {}, "false": {}}
    for kind, found in judged.items():
        for e in doc.get(kind, []):
            for p in e.get("params", [e.get("param")]):
                found[(e["line"], e["api"], p)] = e["reason"]
    fixed = {(e["line"], e["api"], e["param"]) for e in doc.get("false", []) if e.get("status") == "fixed"}
    return Labels(doc["file"], doc["framework"], expected, judged["extra"], judged["false"], fixed)


@dataclass
class Score:
    expected: int = 0
    found: int = 0  # expected keys reported
    reported: int = 0
    true: int = 0  # reported and expected
    extra: int = 0  # reported, judged correct, not required
    false: int = 0  # reported, judged wrong
    unjudged: int = 0  # reported, in no label
    misses: list[Key] = field(default_factory=list)
    false_keys: list[tuple[Key, str]] = field(default_factory=list)
    unjudged_keys: list[Key] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("expected", "found", "reported", "true", "extra", "false", "unjudged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return (self.true + self.extra) / self.reported if self.reported else 1.0


def linters() -> dict[str, Linter]:
    # "default" is the default selection with the `port` preset (what a project using both frameworks sees):
    # the labels' `default` lists name the calls and parameters of that selection
    return {sel: Linter(Settings(root=REPO, select=list(codes), preset=None if codes else ["port"]))
            for sel, codes in SELECTIONS.items()}


def score_file(labels: Labels, linter: Linter, selection: str) -> Score:
    return score_keys(labels, reported_keys(labels, linter), selection)


def reported_keys(labels: Labels, linter: Linter) -> set[Key]:
    reported: set[Key] = set()
    for f in linter.lint_text((FILES / labels.name).read_text(encoding="utf-8"), labels.name):
        reported.update(finding_keys(f))
    return reported


def score_keys(labels: Labels, reported: set[Key], selection: str) -> Score:
    expected = labels.expected[selection]
    every_expected = labels.expected["ALL"] | labels.expected["default"]
    s = Score(expected=len(expected), reported=len(reported))
    s.misses = sorted(expected - reported)
    s.found = len(expected) - len(s.misses)
    for key in sorted(reported):
        if key in every_expected:
            s.true += 1
        elif key in labels.extra:
            s.extra += 1
        elif key in labels.false:
            s.false += 1
            s.false_keys.append((key, labels.false[key]))
        else:
            s.unjudged += 1
            s.unjudged_keys.append(key)
    return s


def all_labels() -> list[Labels]:
    return [load_labels(p) for p in sorted(LABELS.glob("*.toml"))]


def measure() -> dict[str, dict[str, Score]]:
    """selection -> file name (and "total", "torch", "keras/tensorflow") -> Score."""
    result: dict[str, dict[str, Score]] = {}
    lint = linters()
    for sel in SELECTIONS:
        per: dict[str, Score] = {}
        total = Score()
        groups: dict[str, Score] = {}
        for labels in all_labels():
            s = score_file(labels, lint[sel], sel)
            per[labels.name] = s
            total.add(s)
            groups.setdefault(labels.framework, Score()).add(s)
        per.update(groups)
        per["total"] = total
        result[sel] = per
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list misses, false and unjudged findings")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    result = measure()
    if args.json:
        print(json.dumps({sel: {name: {"expected": s.expected, "found": s.found, "reported": s.reported,
                                        "false": s.false, "unjudged": s.unjudged, "recall": round(s.recall, 4),
                                        "precision": round(s.precision, 4)} for name, s in per.items()}
                          for sel, per in result.items()}, indent=2))
        return 0
    for sel, per in result.items():
        print(f"\n== selection: {sel}")
        print(f"{'file':34} {'expected':>8} {'found':>6} {'recall':>7} {'reported':>8} {'false':>6} "
              f"{'unjudged':>8} {'precision':>9}")
        for name, s in per.items():
            if name in ("torch", "keras/tensorflow"):
                print("-" * 94)
            print(f"{name:34} {s.expected:8} {s.found:6} {s.recall:7.3f} {s.reported:8} {s.false:6} "
                  f"{s.unjudged:8} {s.precision:9.3f}")
        if args.misses:
            for name, s in per.items():
                if name in ("torch", "keras/tensorflow", "total"):
                    continue
                for key in s.misses:
                    print(f"  miss   {name}:{key[0]} {key[1]} {key[2]}")
                for key, why in s.false_keys:
                    print(f"  false  {name}:{key[0]} {key[1]} {key[2]}  ({why})")
                for key in s.unjudged_keys:
                    print(f"  ?      {name}:{key[0]} {key[1]} {key[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`--fix` over the benchmark corpus: every fixed file parses, its syntax tree differs from the original only
by added keyword arguments, nothing fixable is left, and a second fix changes nothing.

    python bench/fixcheck.py        # after bench/corpus.py; prints one summary line, exit 1 on a failure

Works on a copy of the corpus in a temporary folder. The AST comparison is the test suite's oracle
(tests/oracle.py), written independently of the fixer's own guard.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))
from corpus import corpus_dir  # noqa: E402
from oracle import same_but_added_keywords  # noqa: E402

FIX = ["--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "-q"]


@dataclass
class FixCheck:
    files: int = 0
    changed: int = 0
    fixed: int = 0  # findings the first run fixed
    fixable_left: int = 0
    seconds: float = 0.0
    second_run_changed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.second_run_changed and not self.fixable_left


def _parse(text: str) -> ast.AST | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.py"))}


def check(source: Path) -> FixCheck:
    result = FixCheck()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(source, work)
        before = _snapshot(work)
        result.files = len(before)
        start = time.perf_counter()
        first = subprocess.run([sys.executable, "-m", "defaultlint", str(work), *FIX[:-1], "--output-format",
                                "concise"], capture_output=True, text=True, check=False)
        result.seconds = time.perf_counter() - start
        if first.returncode not in (0, 1) or "Traceback" in first.stderr:
            result.failures.append(f"first run exited {first.returncode}: {first.stderr[-500:]}")
        after = _snapshot(work)
        for path, old in before.items():
            new = after[path]
            if new == old:
                continue
            result.changed += 1
            old_tree, new_tree = _parse(old.decode("utf-8", "replace")), _parse(new.decode("utf-8", "replace"))
            if new_tree is None:
                result.failures.append(f"{path.relative_to(work)}: the fixed file does not parse")
            elif old_tree is not None and not same_but_added_keywords(old_tree, new_tree):
                result.failures.append(f"{path.relative_to(work)}: more changed than added keywords")
        report = subprocess.run([sys.executable, "-m", "defaultlint", str(work), "--select", "ALL", "--no-cache",
                                 "--exit-zero", "--output-format", "json"], capture_output=True, text=True,
                                check=False)
        remaining = json.loads(report.stdout or "[]")
        result.fixable_left = sum(1 for f in remaining if (f.get("fix") or {}).get("applicability") in ("safe", "unsafe")
                                  and (f.get("fix") or {}).get("edits"))
        subprocess.run([sys.executable, "-m", "defaultlint", str(work), *FIX], capture_output=True, check=False)
        again = _snapshot(work)
        result.second_run_changed = sum(1 for p in after if again[p] != after[p])
        result.fixed = _fixed_count(first.stderr + first.stdout)
    return result


def _fixed_count(output: str) -> int:
    """The number in the run's "Fixed N findings" line (0 when absent)."""
    for word in output.split("Fixed ")[1:]:
        head = word.split(" ", 1)[0].replace(",", "")
        if head.isdigit():
            return int(head)
    return 0


def summary(r: FixCheck) -> str:
    head = (f"--fix --unsafe-fixes over {r.files} files fixed {r.fixed:,} findings and rewrote {r.changed} files in "
            f"{r.seconds:.1f} s")
    if r.ok:
        return (head + "; every rewritten file parses and differs from the original only by added keyword "
                "arguments, no fixable finding is left, and a second run changes nothing")
    problems = r.failures[:5]
    if r.fixable_left:
        problems.append(f"{r.fixable_left} fixable findings left")
    if r.second_run_changed:
        problems.append(f"a second run changed {r.second_run_changed} files")
    return head + "; FAILED: " + "; ".join(problems)


if __name__ == "__main__":
    outcome = check(corpus_dir())
    print(summary(outcome))
    sys.exit(0 if outcome.ok else 1)

"""The persistent cache serves earlier findings only while nothing that decides them has changed."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from defaultlint import api
from defaultlint.api import Linter, lint_files
from defaultlint.project.cache import Cache, content_hash, dump_findings, load_findings
from defaultlint.project.config import Settings
from defaultlint.core.ftypes import Finding, Position
from defaultlint.project.tables import load_table

TORCH = "import torch.nn as nn\n\nlayer = nn.BatchNorm2d(3)\n"
KERAS = "import keras\n\nlayer = keras.layers.Dense(4)\n"


def linter(root: Path, **kw) -> Linter:
    return Linter(Settings(root=root, select=["ALL"], **kw))


def summary(results):
    return [(r.path, [(f.code, f.message, f.location, f.fix and f.fix.edits) for f in r.findings]) for r in results]


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_findings_round_trip_through_json_with_each_string_stored_once():
    findings = linter(ROOT).lint_text(TORCH + TORCH.replace("layer =", "layer2 ="), "m.py")
    assert any(f.fix is not None and f.fix.edits for f in findings)
    strings, rows = json.loads(json.dumps(dump_findings(findings)))
    assert load_findings(strings, rows, "m.py") == findings
    assert len(strings) == len(set(strings)) < 2 * len(findings)  # the second call's messages are shared


def test_second_run_is_served_from_the_cache(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    lin = linter(tmp_path)
    cold = lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    assert any(f.code == "DL201" for f in cold[0].findings)
    cache = Cache(tmp_path / "c", lin.table, lin.rules)
    assert cache.entries  # written to disk by the first run
    # Prove the second run reads the cache: plant a marker finding under the same key.
    key = next(iter(cache.entries))
    marker = Finding("DL999", "from the cache", str(src), 0, 0, Position(1, 1), Position(1, 1))
    cache.entries[key][2:4] = dump_findings([marker])
    warm = lint_files(lin, [src], cache=cache)
    assert [f.message for f in warm[0].findings] == ["from the cache"]
    assert warm[0].source == TORCH


def test_an_edited_file_is_checked_again(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    lin = linter(tmp_path)
    lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    src.write_text(KERAS, encoding="utf-8")
    warm = lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    assert summary(warm) == summary(lint_files(lin, [src]))
    assert all(f.api.startswith("keras") for f in warm[0].findings if f.api)


def test_other_rules_or_table_use_another_namespace(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    everything = linter(tmp_path)
    c1 = Cache(tmp_path / "c", everything.table, everything.rules)
    lint_files(everything, [src], cache=c1)
    narrow = Linter(Settings(root=tmp_path, select=["DL202"]))
    c2 = Cache(tmp_path / "c", narrow.table, narrow.rules)
    assert c2.file != c1.file and not c2.entries
    assert {f.code for f in lint_files(narrow, [src], cache=c2)[0].findings} == {"DL202"}
    # a copy of the table with one byte changed is another table
    rules = tmp_path / "rules"
    shutil.copytree(everything.table.root, rules)
    codes = rules / "codes.toml"
    codes.write_text(codes.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    c3 = Cache(tmp_path / "c", load_table.__wrapped__(str(rules)), everything.rules)
    assert c3.file != c1.file and not c3.entries


def test_per_file_ignores_are_part_of_the_key(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    lin = linter(tmp_path)
    lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    ignoring = linter(tmp_path, per_file_ignores={"m.py": ["DL2"]})
    res = lint_files(ignoring, [src], cache=Cache(tmp_path / "c", ignoring.table, ignoring.rules))
    assert not any(f.code.startswith("DL2") for f in res[0].findings)


def test_a_damaged_cache_is_ignored(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    lin = linter(tmp_path)
    cache = Cache(tmp_path / "c", lin.table, lin.rules)
    lint_files(lin, [src], cache=cache)
    cache.file.write_text("{not json", encoding="utf-8")
    res = lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    assert summary(res) == summary(lint_files(lin, [src]))
    cache.file.write_text(json.dumps({"format": 1, "files": {str(src.resolve()): ["x", "y", [[1]]]}}))
    res = lint_files(lin, [src], cache=Cache(tmp_path / "c", lin.table, lin.rules))
    assert summary(res) == summary(lint_files(lin, [src]))


def test_parallel_run_matches_serial_and_keeps_order(tmp_path, monkeypatch):
    files = [write(tmp_path, f"m{i:02}.py", (TORCH if i % 2 else KERAS) + f"x = {i}\n") for i in range(12)]
    files.append(tmp_path / "missing.py")
    files.append(write(tmp_path, "bad.py", "def (:\n"))
    lin = linter(tmp_path)
    serial = lint_files(lin, files, jobs=1)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 0)
    parallel = lint_files(lin, files, jobs=2)
    assert summary(parallel) == summary(serial)
    assert [r.path for r in parallel] == [str(f) for f in files]
    assert parallel[-2].error and parallel[-1].findings[0].code == "DL001"


def test_parallel_fix_matches_serial(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        for i in range(6):
            write(d, f"m{i}.py", TORCH + f"y = {i}\n")
    lin = linter(tmp_path)
    serial = lint_files(lin, sorted(a.iterdir()), fix=True, jobs=1)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 0)
    parallel = lint_files(lin, sorted(b.iterdir()), fix=True, jobs=2)
    assert [r.fixes_applied for r in parallel] == [r.fixes_applied for r in serial]
    assert [p.read_text() for p in sorted(b.iterdir())] == [p.read_text() for p in sorted(a.iterdir())]
    assert "momentum=0.1" in (b / "m0.py").read_text()


def test_cli_cache_folder_and_flags(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    first = run_cli(src, "--select", "ALL", "--output-format", "concise", cwd=tmp_path)
    cache_dir = tmp_path / ".defaultlint_cache"
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    second = run_cli(src, "--select", "ALL", "--output-format", "concise", cwd=tmp_path)
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "DL201" in first.stdout
    src.write_text("import torch.nn as nn\n\nnn.BatchNorm2d(3, momentum=0.1)\n", encoding="utf-8")
    third = run_cli(src, "--select", "ALL", "--output-format", "concise", cwd=tmp_path)
    assert "DL201" not in third.stdout and "DL202" in third.stdout


def test_cli_no_cache_and_cache_dir(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    run_cli(src, "--no-cache", cwd=tmp_path)
    assert not (tmp_path / ".defaultlint_cache").exists()
    run_cli(src, "--cache-dir", tmp_path / "elsewhere", cwd=tmp_path)
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (tmp_path / ".defaultlint_cache").exists()


def test_fixing_does_not_use_a_stale_cache(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    run_cli(src, "--select", "ALL", cwd=tmp_path)
    assert run_cli(src, "--select", "ALL", "--fix", cwd=tmp_path).returncode in (0, 1)
    after = run_cli(src, "--select", "ALL", "--output-format", "concise", cwd=tmp_path)
    assert "[*]" not in after.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_from_the_environment(monkeypatch, jobs):
    monkeypatch.setenv("DEFAULTLINT_JOBS", jobs)
    assert api.default_jobs() == int(jobs)


def test_progress_counts_every_file(tmp_path, monkeypatch):
    files = [write(tmp_path, f"m{i}.py", TORCH) for i in range(5)]
    lin = linter(tmp_path)
    for jobs, threshold in ((1, 10**9), (2, 0)):
        monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", threshold)
        seen = []
        lint_files(lin, files, jobs=jobs, progress=seen.append)
        assert sum(seen) == len(files)
        seen.clear()
        cache = Cache(tmp_path / f"c{jobs}", lin.table, lin.rules)
        lint_files(lin, files[:3], jobs=jobs, cache=cache, progress=seen.append)
        lint_files(lin, files, jobs=jobs, cache=cache, progress=seen.append)
        assert sum(seen) == 3 + len(files)


TRAIN = """\
import torch
from utils import seed_all

def main():
    seed_all(0)
    model = torch.nn.Linear(2, 2)
    model(torch.ones(2)).sum().backward()

if __name__ == "__main__":
    main()
"""
UTILS = "import random\nimport numpy as np\nimport torch\n\ndef seed_all(seed):\n    {body}\n"


def test_a_program_reading_a_helper_is_served_while_the_helper_holds_the_same_bytes(tmp_path):
    train = write(tmp_path, "train.py", TRAIN)
    utils = write(tmp_path, "utils.py", UTILS.format(body="random.seed(seed)"))
    lin = Linter(Settings(root=tmp_path, select=["DL030", "DL032", "DL033"]))
    cache = Cache(tmp_path / "c", lin.table, lin.rules)
    cold = lint_files(lin, [train], cache=cache, jobs=1)
    entry = cache.entries[cache.path_key(train)]
    assert entry[4] == [[str(utils.resolve()), content_hash(utils.read_bytes())]]  # the helper's hash
    marker = Finding("DL999", "from the cache", str(train), 0, 0, Position(1, 1), Position(1, 1))
    entry[2:4] = dump_findings([marker])
    warm = lint_files(lin, [train], cache=cache, jobs=1)
    assert [f.message for f in warm[0].findings] == ["from the cache"]
    utils.write_text(UTILS.format(body="torch.manual_seed(seed)"), encoding="utf-8")
    edited = lint_files(lin, [train], cache=cache, jobs=1)
    assert sorted(f.code for f in edited[0].findings) != ["DL999"]
    assert sorted(f.code for f in edited[0].findings) != sorted(f.code for f in cold[0].findings)


WARM_PROBE = """\
import runpy, sys
sys.argv = ["defaultlint", *sys.argv[1:]]
try:
    runpy.run_module("defaultlint", run_name="__main__")
except SystemExit as e:
    code = e.code
heavy = sorted(m for m in ("defaultlint.core.checker", "defaultlint.core.table", "defaultlint.api", "rich",
                           "libcst") if m in sys.modules)
sys.stderr.write(f"exit {code} imported {heavy}\\n")
"""


def _probe(tmp_path, *args):
    import subprocess
    import sys

    probe = tmp_path / "probe.py"
    probe.write_text(WARM_PROBE, encoding="utf-8")
    env = {**__import__("os").environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, str(probe), *map(str, args)], capture_output=True, text=True,
                       cwd=tmp_path, env=env)
    return p.stdout, p.stderr.strip().splitlines()[-1]


def test_an_unchanged_run_is_answered_without_the_table_or_the_checker(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write(src, "m.py", TORCH)
    write(src, "k.py", KERAS)
    args = (src, "--select", "ALL", "--cache-dir", tmp_path / "c")
    cold_out, cold = _probe(tmp_path, *args)
    warm_out, warm = _probe(tmp_path, *args)
    assert "defaultlint.core.table" in cold
    assert warm == "exit 1 imported []" and cold.startswith("exit 1")
    assert warm_out == cold_out and "DL201" in warm_out
    # another selection is another plan: never the findings of the first
    other_out, other = _probe(tmp_path, src, "--select", "DL202", "--cache-dir", tmp_path / "c")
    assert "DL201" not in other_out and "DL202" in other_out and "defaultlint.core.table" in other
    # an edited file: checked again, and only then the checker is imported
    write(src, "m.py", "import torch.nn as nn\n\nnn.BatchNorm2d(3, momentum=0.1)\n")
    edited_out, edited = _probe(tmp_path, *args)
    assert "defaultlint.core.checker" in edited and "DL201" not in edited_out.split("k.py")[0]


def test_a_plan_not_signed_by_the_user_is_ignored(tmp_path):
    src = write(tmp_path, "m.py", TORCH)
    args = (src, "--select", "ALL", "--cache-dir", tmp_path / "c", "--output-format", "concise")
    first = run_cli(*args, cwd=tmp_path)
    plans = list((tmp_path / "c").rglob("plan-*.json"))
    assert len(plans) == 1
    body = json.dumps({"format": 3, "scan": None, "variants": {"": {"rules": "0" * 32, "files": None}}})
    plans[0].write_text("0" * 64 + "\n" + body, encoding="utf-8")  # a forged plan pointing elsewhere
    assert run_cli(*args, cwd=tmp_path).stdout == first.stdout


MACHINE_FORMATS = ("json", "json-lines", "github", "gitlab", "sarif", "junit", "lsp")


@pytest.mark.parametrize("extra", [(), ("--statistics",)], ids=["report", "statistics"])
def test_every_format_of_a_run_served_from_the_cache_is_the_cold_runs_byte_for_byte(tmp_path, extra):
    src = tmp_path / "src"
    src.mkdir()
    write(src, "m.py", TORCH)
    write(src, "k.py", KERAS)
    write(src, "clean.py", "x = 1\n")
    shutil.copy(ROOT / "tests" / "data" / "model.ipynb", src / "model.ipynb")
    cache = tmp_path / "c"
    args = (src, "--select", "ALL", *extra)
    _, filled = _probe(tmp_path, *args, "--cache-dir", cache)
    assert "defaultlint.core.table" in filled
    assert (cache.stat().st_mode & 0o777) == 0o700
    for fmt in ("full", "concise", *MACHINE_FORMATS):
        cold_out, cold = _probe(tmp_path, *args, "--no-cache", "--output-format", fmt)
        warm_out, warm = _probe(tmp_path, *args, "--cache-dir", cache, "--output-format", fmt)
        assert warm_out == cold_out, fmt
        assert cold.startswith("exit 1") and "defaultlint.core.table" in cold, fmt
        assert warm == "exit 1 imported []", fmt
        assert "DL201" in warm_out, fmt


def test_a_plan_whose_rule_facts_are_damaged_loads_the_table(tmp_path):
    from defaultlint.project.cache import _read_signed, _write_signed, user_key

    src = write(tmp_path, "m.py", TORCH)
    args = (src, "--select", "ALL", "--cache-dir", tmp_path / "c", "--output-format", "sarif")
    cold_out, _ = _probe(tmp_path, *args)
    plan = next((tmp_path / "c").rglob("plan-*.json"))
    data = _read_signed(plan, user_key())
    assert [c[0] for c in data["codes"]][:1] == ["DL001"] and all(len(c) == 5 for c in data["codes"])
    data["codes"] = [["DL201", "a-name", "", "", "yes"]]  # signed, but of another shape
    _write_signed(plan, user_key(), data)
    warm_out, warm = _probe(tmp_path, *args)
    assert warm_out == cold_out and "defaultlint.core.table" in warm and "defaultlint.core.checker" not in warm

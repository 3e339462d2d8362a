"""Program flags set in the project's other modules (project/modules.py, core/program.py `Project`): a helper
module's seeds count when the program imports it or calls the helper; a helper never called, a module outside
the project, an excluded or linked file do not; the result follows edits of the helper on a warm run."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from defaultlint.api import Linter, lint_files
from defaultlint.project.cache import Cache
from defaultlint.project.config import Settings

SEEDS = ["DL030", "DL032", "DL033"]
UNSEEDED = ["DL030"]  # the programs below import torch only: random and numpy are the helper's
TORCH = ["DL010", "DL011", "DL021", "DL022", "DL030"]

TRAIN = """\
import torch
{imports}

def main():
    {call}
    model = torch.nn.Linear(2, 2)
    model(torch.ones(2)).sum().backward()

if __name__ == "__main__":
    main()
"""

UTILS = """\
import random
import numpy as np
import torch

def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

def fast():
    torch.backends.cudnn.benchmark = True
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def codes(root: Path, names: list[str], select=SEEDS, cache=None, **settings) -> dict[str, list[str]]:
    linter = Linter(Settings(root=root, select=list(select), **settings))
    results = lint_files(linter, [root / n for n in names], cache=cache, jobs=1)
    return {Path(r.path).relative_to(root).as_posix(): sorted(f.code for f in r.findings) for r in results}


def train(imports: str, call: str) -> str:
    return TRAIN.format(imports=imports, call=call)


def test_a_helper_the_program_calls_seeds_it(tmp_path):
    write(tmp_path, {"train.py": train("from utils import seed_all", "seed_all(0)"), "utils.py": UTILS})
    assert codes(tmp_path, ["train.py", "utils.py"]) == {"train.py": [], "utils.py": []}


def test_a_helper_called_through_its_module_counts(tmp_path):
    write(tmp_path, {"train.py": train("import utils", "utils.seed_all(0)"), "utils.py": UTILS})
    assert codes(tmp_path, ["train.py", "utils.py"])["train.py"] == []


def test_a_helper_function_the_program_never_calls_does_not_count(tmp_path):
    write(tmp_path, {"train.py": train("from utils import seed_all", "pass"), "utils.py": UTILS})
    assert codes(tmp_path, ["train.py"])["train.py"] == UNSEEDED
    write(tmp_path, {"train.py": train("from utils import fast", "pass")})
    assert codes(tmp_path, ["train.py"], select=["DL021"])["train.py"] == ["DL021"]
    write(tmp_path, {"train.py": train("from utils import fast", "fast()")})
    assert codes(tmp_path, ["train.py"], select=["DL021"])["train.py"] == []


def test_settings_a_module_makes_when_imported_count_and_its_main_guard_does_not(tmp_path):
    config = """\
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    if __name__ == "__main__":
        torch.manual_seed(0)
    """
    write(tmp_path, {"train.py": train("import config", "pass"), "config.py": config})
    assert codes(tmp_path, ["train.py"], select=TORCH)["train.py"] == ["DL011", "DL021", "DL022", "DL030"]


def test_relative_imports_and_helpers_calling_helpers_are_followed(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/train.py": train("from .setup import prepare", "prepare()"),
        "pkg/setup.py": "from . import seeding\n\ndef prepare():\n    seeding.seed_all(1)\n",
        "pkg/seeding.py": UTILS.replace("def seed_all", "def seed_all"),
    })
    assert codes(tmp_path, ["pkg/train.py"])["pkg/train.py"] == []


def test_a_package_module_is_found_from_the_package_root(tmp_path):
    write(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/train.py": train("from app.common.seeding import seed_all", "seed_all(0)"),
        "src/app/common/__init__.py": "",
        "src/app/common/seeding.py": UTILS,
    })
    assert codes(tmp_path, ["src/app/train.py"])["src/app/train.py"] == []


def test_only_the_program_file_checked_still_counts_the_projects_helper(tmp_path):
    # a pre-commit hook passes the changed files only
    write(tmp_path, {"train.py": train("from utils import seed_all", "seed_all(0)"), "utils.py": UTILS})
    assert codes(tmp_path, ["train.py"]) == {"train.py": []}


def test_modules_outside_the_project_or_excluded_do_not_count(tmp_path):
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    write(outside, {"utils.py": UTILS})
    write(project, {"train.py": train("from utils import seed_all", "seed_all(0)")})
    os.symlink(outside / "utils.py", project / "utils.py")  # a link leaving the project is not followed
    assert codes(project, ["train.py"])["train.py"] == UNSEEDED
    (project / "utils.py").unlink()
    write(project, {"build/utils.py": UTILS,
                    "train.py": train("import sys\nfrom build.utils import seed_all", "seed_all(0)")})
    assert codes(project, ["train.py"])["train.py"] == UNSEEDED  # build/ is excluded by default
    write(project, {"vendor/utils.py": UTILS,
                    "train.py": train("from vendor.utils import seed_all", "seed_all(0)")})
    assert codes(project, ["train.py"])["train.py"] == []
    assert codes(project, ["train.py"], extend_exclude=["vendor"])["train.py"] == UNSEEDED


def test_an_unparsable_helper_sets_nothing_and_the_run_goes_on(tmp_path):
    write(tmp_path, {"train.py": train("from utils import seed_all", "seed_all(0)"), "utils.py": "def (:\n"})
    assert codes(tmp_path, ["train.py"])["train.py"] == UNSEEDED


def test_an_import_cycle_ends(tmp_path):
    write(tmp_path, {
        "train.py": train("import a", "a.f()"),
        "a.py": "import b\n\ndef f():\n    b.g()\n",
        "b.py": "import a\n\ndef g():\n    a.f()\n",
    })
    assert codes(tmp_path, ["train.py", "a.py", "b.py"])["train.py"] == UNSEEDED


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_run_sees_the_helper_edited_since(tmp_path, jobs, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "p"
    write(root, {"train.py": train("from utils import seed_all", "seed_all(0)"), "utils.py": UTILS})
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)

    def run():
        linter = Linter(Settings(root=root, select=SEEDS))
        cache = Cache(cache_dir, linter.table, linter.rules, key=b"k" * 32)
        files = [root / "train.py", root / "utils.py"]
        return {Path(r.path).name: sorted(f.code for f in r.findings)
                for r in lint_files(linter, files, cache=cache, jobs=jobs)}

    assert run()["train.py"] == []
    write(root, {"utils.py": UTILS.replace("    torch.manual_seed(seed)\n", "")})
    assert run()["train.py"] == ["DL030"]
    assert run()["train.py"] == ["DL030"]


def test_fixing_a_program_does_not_insert_what_a_helper_sets(tmp_path):
    write(tmp_path, {"train.py": train("from utils import seed_all", "seed_all(0)"), "utils.py": UTILS})
    linter = Linter(Settings(root=tmp_path, select=SEEDS + ["DL021"]))
    [result] = lint_files(linter, [tmp_path / "train.py"], fix=True, jobs=1)
    assert result.fixes_applied == 1
    assert (tmp_path / "train.py").read_text() == train("from utils import seed_all", "seed_all(0)").replace(
        "from utils import seed_all\n", "from utils import seed_all\n\ntorch.backends.cudnn.benchmark = False\n")


def test_the_manifest_records_each_flag_of_a_program_set_or_implicit(tmp_path, monkeypatch):
    from defaultlint.audit.manifest import entries_for_paths, from_json, to_json

    write(tmp_path, {"train.py": train("from utils import seed_all", "seed_all(7)"),
                     "utils.py": UTILS.replace("torch.manual_seed(seed)", "torch.manual_seed(1234)")})
    monkeypatch.chdir(tmp_path)
    linter = Linter(Settings(root=tmp_path))
    entries, errors = entries_for_paths([tmp_path], linter.table, linter.rules)
    assert errors == []
    [program] = [e for e in entries if e.api == "program"]
    assert (Path(program.path).name, program.line, program.framework, program.version) == ("train.py", 9, "torch",
                                                                                             "2.13")
    shown = {h.name: (h.value, h.source) for h in program.params}
    assert shown["torch-seed"] == ("1234", "explicit")  # set by the helper the program calls
    assert shown["torch-cudnn-benchmark"] == ("False", "implicit")
    assert shown["torch-matmul-tf32"] == ("False", "implicit")
    assert from_json(to_json(entries)) == entries


def test_compare_shows_what_each_program_writes_and_counts_a_helpers_setting(tmp_path, monkeypatch):
    from defaultlint.audit.compare import compare_entries, load_side

    tf_program = """\
    import tensorflow as tf

    def main():
        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
        model.fit(x, y)

    if __name__ == "__main__":
        main()
    """
    write(tmp_path / "a", {"train.py": tf_program})
    write(tmp_path / "b", {"train.py": train("from flags import strict", "strict()"),
                           "flags.py": "import torch\n\ndef strict():\n"
                                       "    torch.backends.cuda.matmul.allow_tf32 = False\n"})
    monkeypatch.chdir(tmp_path)
    linter = Linter(Settings(root=tmp_path))
    a, b = (load_side(tmp_path / side, linter.table, linter.rules) for side in "ab")
    report = compare_entries(a.entries, b.entries, linter.table, "a", "b", a, b)
    [tf32] = [d for d in report.program if d.a_param == "tensorflow-tf32"]
    assert tf32.b_param == "torch-matmul-tf32"
    assert tf32.b_value == "set to False by the program"  # written in the helper the program calls

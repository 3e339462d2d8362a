"""Inputs built to hurt: long alias chains, names bound twice per level, undecodable standard input. Each
gets an answer in time proportional to its size (or one DL002 finding), and the run goes on."""

from __future__ import annotations

from conftest import lint, run_cli


def test_a_chain_of_250_aliases_resolves():
    src = "import torch.nn as nn\na0 = nn\n" + "".join(f"a{i} = a{i - 1}\n" for i in range(1, 251))
    src += "x = a250.BatchNorm2d(4)\n"
    assert {f.code for f in lint(src, select=("DL201",))} == {"DL201"}


def test_names_bound_twice_per_level_do_not_explode():
    src = "import torch.nn as nn\na0 = nn\n" + "".join(f"a{i} = a{i - 1}\na{i} = a{i - 1}\n" for i in range(1, 400))
    src += "x = a399.BatchNorm2d(4)\n"
    assert {f.code for f in lint(src, select=("DL201", "DL002"))} <= {"DL201", "DL002"}


def test_a_file_over_the_budget_gets_one_finding_and_the_run_goes_on(tmp_path):
    many = "import torch.nn as nn\n" + "".join(
        f"a{i} = " + " if c else ".join(f"a{j}" for j in range(max(0, i - 40), i)) + "\n" if i else "a0 = nn\n"
        for i in range(0, 400)) + "x = a399.BatchNorm2d(4)\n"
    (tmp_path / "hostile.py").write_text(many, encoding="utf-8")
    (tmp_path / "normal.py").write_text("import torch.nn as nn\nbn = nn.BatchNorm2d(4)\n", encoding="utf-8")
    r = run_cli(tmp_path, "--no-cache", "--select", "DL201,DL002", "--output-format", "concise")
    assert "normal.py:2:6: DL201" in r.stdout
    assert r.returncode == 1


def test_undecodable_standard_input_is_a_finding_not_a_crash():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "defaultlint", "-", "--stdin-filename", "x.py", "--output-format",
                        "concise"], input=b"import torch\n\xff\xfe\n", capture_output=True)
    assert r.returncode == 1 and b"x.py:1:1: DL001 cannot decode" in r.stdout and b"internal error" not in r.stderr

"""The default selection for everyone and the `port` preset: on by itself when a project uses both
frameworks, by one configuration line or flag otherwise; its codes never report a value both frameworks share."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

from defaultlint.api import Linter
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table

TORCH = "import torch.nn as nn\nconv = nn.Conv2d(3, 8, 3)\nbn = nn.BatchNorm2d(8)\n"
KERAS = "import keras\ndense = keras.layers.Dense(4)\n"


def codes(r) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in r.stdout.splitlines() if ": DL" in line]


def test_a_single_framework_project_gets_the_default_selection_only(tmp_path):
    (tmp_path / "m.py").write_text(TORCH, encoding="utf-8")
    r = run_cli("m.py", "--no-cache", "--output-format", "concise", cwd=tmp_path)
    assert codes(r) == ["DL201"]  # momentum; no initialisation (DL101/DL102) or eps (DL202) lines


def test_both_frameworks_in_the_checked_files_turn_the_port_preset_on(tmp_path):
    (tmp_path / "m.py").write_text(TORCH, encoding="utf-8")
    (tmp_path / "k.py").write_text(KERAS, encoding="utf-8")
    r = run_cli(".", "--no-cache", "--output-format", "concise", cwd=tmp_path)
    assert {"DL101", "DL102", "DL202", "DL201"} <= set(codes(r))
    off = run_cli(".", "--no-cache", "--output-format", "concise", "--preset", "none", cwd=tmp_path)
    assert set(codes(off)) == {"DL201"}
    chosen = run_cli(".", "--no-cache", "--output-format", "concise", "--select", "DL201", cwd=tmp_path)
    assert set(codes(chosen)) == {"DL201"}  # an explicit selection is never widened by the automatic preset


def test_declared_dependencies_of_both_frameworks_turn_it_on(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["torch>=2", "keras>=3"]\n',
                                             encoding="utf-8")
    (tmp_path / "m.py").write_text(TORCH, encoding="utf-8")
    r = run_cli("m.py", "--no-cache", "--output-format", "concise", cwd=tmp_path)
    assert "DL101" in codes(r)


def test_one_configuration_line_or_flag_turns_it_on(tmp_path):
    (tmp_path / "m.py").write_text(TORCH, encoding="utf-8")
    flag = run_cli("m.py", "--no-cache", "--output-format", "concise", "--preset", "port", cwd=tmp_path)
    assert {"DL101", "DL102", "DL202"} <= set(codes(flag))
    for line in ('port-from = "keras"', 'preset = ["port"]'):
        (tmp_path / "pyproject.toml").write_text(f"[tool.defaultlint]\n{line}\n", encoding="utf-8")
        r = run_cli("m.py", "--no-cache", "--output-format", "concise", cwd=tmp_path)
        assert set(codes(r)) == set(codes(flag)), line


def test_unknown_presets_and_frameworks_are_errors(tmp_path):
    (tmp_path / "m.py").write_text(TORCH, encoding="utf-8")
    assert run_cli("m.py", "--preset", "nope", cwd=tmp_path).returncode == 2
    (tmp_path / "pyproject.toml").write_text('[tool.defaultlint]\nport-from = "mxnet"\n', encoding="utf-8")
    r = run_cli("m.py", cwd=tmp_path)
    assert r.returncode == 2 and "unknown framework 'mxnet' in `port-from`" in r.stderr


def test_values_both_frameworks_share_are_never_called_a_difference():
    table = load_table()
    adam, sgd = table.apis["torch.optim.Adam"], table.apis["torch.optim.SGD"]
    assert table.counterpart_agrees(adam, "lr", "0.001")  # Keras learning_rate=0.001
    assert table.counterpart_agrees(sgd, "weight_decay", "0")  # Keras weight_decay=None: no decay either
    assert not table.counterpart_agrees(adam, "eps", "1e-08")  # Keras epsilon=1e-07
    assert not table.counterpart_agrees(table.apis["torch.nn.BatchNorm2d"], "momentum", "0.1")  # ≙ 0.01
    [lr] = [f for f in Linter(Settings(root=Path("."))).lint_text(
        "import torch\nopt = torch.optim.Adam(p)\n", "m.py") if f.parameters[:1] == [("lr", "0.001")]]
    assert lr.message.startswith("torch.optim.Adam: `lr` is implicit (0.001 in PyTorch 2.13); Keras Adam also "
                                 "uses learning_rate=0.001")


def test_a_comparison_preset_drops_a_default_both_frameworks_share(tmp_path):
    """A port code whose value is the same in both frameworks is no difference: with the preset on, it is not
    reported; selected by the user, it is."""
    from defaultlint.core.checker import Checker, Rules

    table = load_table()
    text = "import torch\nopt = torch.optim.Adam(p)\n"
    both = Checker(table, Rules(frozenset({"DL301"}), differences_only=frozenset({"DL301"}))).check(text, "m.py")
    chosen = Checker(table, Rules(frozenset({"DL301"}))).check(text, "m.py")
    assert both == [] and [f.code for f in chosen] == ["DL301"]


def test_rules_lists_the_presets():
    r = run_cli("rules", "--presets")
    assert r.stdout.startswith("port: Values that differ between PyTorch and TensorFlow/Keras")
    assert "DL101" in r.stdout and "DL201" not in r.stdout

"""`defaultlint upgrade`: the calls whose effective default changes between two releases, with fixes that keep
the old behaviour or adopt the new."""

from __future__ import annotations

import json

from conftest import run_cli
from defaultlint.audit import upgrade as up
from defaultlint.project.tables import load_table

TABLE = load_table()
SOURCE = ('import torch\n\nopt = torch.optim.SGD(params, lr=0.1)\nstate = torch.load("checkpoint.pt")\n'
          'safe = torch.load("weights.pt", weights_only=True)\n')


def _findings(old: str, new: str, mode=up.Mode.KEEP, text: str = SOURCE):
    return up.findings(TABLE, text, "train.py", up.Upgrade.parse(TABLE, old, new), mode)


def test_a_changed_default_is_reported_with_both_values():
    (f,) = _findings("torch==2.4", "torch==2.13")
    assert (f.code, f.location.row, f.api) == ("DL902", 4, "torch.load")
    assert f.message.startswith("torch.load: the default of `weights_only` changes from False (PyTorch 2.4) to "
                                "True (PyTorch 2.13)")
    assert f.parameters == [("weights_only", "False")] and f.fix.applicability == "safe"


def test_adopt_writes_the_new_value_and_no_change_means_nothing():
    (f,) = _findings("torch==2.4", "torch==2.13", up.Mode.ADOPT)
    assert f.parameters == [("weights_only", "True")]
    assert _findings("torch==2.6", "torch==2.13") == []
    assert _findings("torch==2.13", "torch==2.4")[0].parameters == [("weights_only", "True")]  # a downgrade


def test_a_default_that_did_not_exist_before_cannot_be_kept():
    (f,) = _findings("torch==2.1", "torch==2.4", text="import torch\nopt = torch.optim.SGD(params)\n")
    assert "changes from <required> (PyTorch 2.1) to 0.001 (PyTorch 2.4)" in f.message
    assert f.fix.applicability == "display-only" and f.parameters == []


def test_bad_releases_are_clear_errors():
    for old, new, why in [("torch=2.4", "torch==2.13", "FRAMEWORK==RELEASE"), ("torch==2.4", "keras==3.0", "one framework"),
                          ("pytorch==2.4", "pytorch==2.5", "unknown framework"), ("torch==2.4", "torch==2.4", "same")]:
        try:
            up.Upgrade.parse(TABLE, old, new)
        except up.UpgradeError as e:
            assert why in str(e)
        else:
            raise AssertionError((old, new))


def test_the_command_line_fixes_and_exits(tmp_path):
    p = tmp_path / "train.py"
    p.write_text(SOURCE, encoding="utf-8")
    r = run_cli("upgrade", p, "--from", "torch==2.4", "--to", "torch==2.13", "--output-format", "json")
    assert r.returncode == 1
    (item,) = json.loads(r.stdout)
    assert (item["code"], item["location"]["row"], item["parameters"]) == (
        "DL902", 4, [{"name": "weights_only", "value": "False"}])
    r = run_cli("upgrade", p, "--from", "torch==2.4", "--to", "torch==2.13", "--fix")
    assert r.returncode == 0, r.stderr
    assert p.read_text(encoding="utf-8") == SOURCE.replace('torch.load("checkpoint.pt")',
                                                           'torch.load("checkpoint.pt", weights_only=False)')
    again = run_cli("upgrade", p, "--from", "torch==2.4", "--to", "torch==2.13", "--fix")
    assert again.returncode == 0 and p.read_text(encoding="utf-8").count("weights_only=False") == 1
    bad = run_cli("upgrade", p, "--from", "torch==2.4", "--to", "keras==3.0")
    assert bad.returncode == 2 and "one framework" in bad.stderr


def test_keeping_an_old_word_is_unsafe():
    (f,) = _findings("keras==2.15", "keras==3.15", text="import keras\nloss = keras.losses.MeanSquaredError()\n")
    assert f.parameters == [("reduction", "'auto'")] and f.fix.applicability == "unsafe"
    assert "Keras 3.15 may not accept 'auto'" in f.fix.message


def test_unsafe_keeps_need_the_flag(tmp_path):
    p = tmp_path / "train.py"
    src = "import keras\nloss = keras.losses.MeanSquaredError()\n"
    p.write_text(src, encoding="utf-8")
    assert run_cli("upgrade", p, "--from", "keras==2.15", "--to", "keras==3.15", "--fix").returncode == 1
    assert p.read_text(encoding="utf-8") == src
    r = run_cli("upgrade", p, "--from", "keras==2.15", "--to", "keras==3.15", "--fix", "--unsafe-fixes")
    assert r.returncode == 0 and "MeanSquaredError(reduction='auto')" in p.read_text(encoding="utf-8")

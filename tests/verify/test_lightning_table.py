"""The Lightning rows of the default table, checked against the installed release (both of its packages):
every signature is the real one, every spelling imports as the same object, and the values in force that
findings state are what a Trainer uses."""

from __future__ import annotations

import pytest

from conftest import require_framework
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = sorted((a for a in TABLE.apis.values() if a.framework == "lightning"), key=lambda a: a.name)
PACKAGES = ("lightning", "pytorch_lightning")


def _lightning(package: str):
    require_framework("torchvision")  # imported by its metrics package, which needs the table tool's shim here
    return require_framework(package)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_installed_release_is_the_verified_one(package):
    assert parse_version(_lightning(package).__version__) == TABLE.frameworks["lightning"].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    _lightning(api.name.split(".")[0])
    assert tablegen.compare(api) == []
    obj = tablegen.resolve(api.name)
    for spelling in api.spellings:
        assert tablegen.resolve(spelling) is obj, spelling


@pytest.mark.parametrize("package", PACKAGES)
def test_trainer_in_force(package, tmp_path):
    pl = _lightning(package)
    import importlib

    import torch

    utilities = importlib.import_module(f"{package}.{'pytorch.' if package == 'lightning' else ''}loops.utilities")
    row = TABLE.apis[f"{package}.Trainer"]
    benchmark, deterministic = torch.backends.cudnn.benchmark, torch.are_deterministic_algorithms_enabled()
    trainer = pl.Trainer(default_root_dir=str(tmp_path), logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    assert repr(trainer.precision) == row.current("precision")
    assert trainer.gradient_clip_val is None and trainer.accumulate_grad_batches == 1
    assert repr(trainer.limit_train_batches) == row.current("limit_train_batches")
    # deterministic and benchmark left as None change nothing in torch
    assert (torch.backends.cudnn.benchmark, torch.are_deterministic_algorithms_enabled()) == (benchmark, deterministic)
    # max_epochs: 1000 without a step limit, unlimited with one
    with pytest.warns(Warning, match="1000"):
        assert utilities._parse_loop_limits(None, -1, None, None, trainer)[1] == int(row.current("max_epochs"))
    assert utilities._parse_loop_limits(None, 100, None, None, trainer)[1] == -1
    clipped = pl.Trainer(default_root_dir=str(tmp_path), logger=False, gradient_clip_val=1.0)
    assert clipped.gradient_clip_algorithm is None  # resolved when clipping
    module = pl.LightningModule()
    module._trainer = clipped
    weight = torch.nn.Parameter(torch.zeros(2))
    weight.grad = torch.tensor([3.0, 4.0])
    module.clip_gradients(torch.optim.SGD([weight], lr=0.1), gradient_clip_val=1.0)
    assert torch.allclose(weight.grad, torch.tensor([0.6, 0.8]))  # by norm: scaled to norm 1, not clamped to 1
    assert eval(row.current("gradient_clip_algorithm")) == "norm"

def test_every_row_is_checked():
    assert len(ROWS) == 2

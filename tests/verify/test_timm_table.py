"""The timm rows of the default table, checked against the installed release: every signature is the real one,
every spelling imports as the same object, and the values in force that findings state are what the factories
build."""

from __future__ import annotations

import pytest

from conftest import require_framework
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = sorted((a for a in TABLE.apis.values() if a.framework == "timm"), key=lambda a: a.name)


def _timm():
    require_framework("torchvision")  # timm imports torchvision, which needs the table tool's shim here
    return require_framework("timm")


def test_the_installed_release_is_the_verified_one():
    assert parse_version(_timm().__version__) == TABLE.frameworks["timm"].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    _timm()
    assert tablegen.compare(api) == []


def _model():
    import torch

    return torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))


def test_create_optimizer_in_force():
    _timm()
    import torch
    from timm.optim import create_optimizer_v2

    row = TABLE.apis["timm.optim.create_optimizer_v2"]
    opt = create_optimizer_v2(_model())
    assert type(opt) is torch.optim.SGD and eval(row.current("opt")) == "sgd"
    assert opt.defaults["nesterov"] is True  # the note: timm's 'sgd' is Nesterov SGD
    assert opt.defaults["momentum"] == float(row.current("momentum"))
    assert opt.defaults["lr"] == float(row.fact("lr").resolves)  # None: the optimizer class's own rate
    assert opt.defaults["weight_decay"] == float(row.current("weight_decay"))
    decayed = create_optimizer_v2(_model(), opt="adamw", weight_decay=0.05)
    assert type(decayed) is torch.optim.AdamW
    # filter_bias_and_bn: biases and the LayerNorm's 1-D weight are not decayed
    groups = sorted((len(g["params"]), g["weight_decay"]) for g in decayed.param_groups)
    assert groups == [(2, 0.05), (4, 0.0)]  # the two Linear weights; four 1-D tensors undecayed
    assert row.current("filter_bias_and_bn") == "True"


def test_create_scheduler_in_force():
    _timm()
    import torch
    from timm.scheduler import CosineLRScheduler, create_scheduler_v2

    row = TABLE.apis["timm.scheduler.create_scheduler_v2"]
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched, epochs = create_scheduler_v2(opt)
    assert type(sched) is CosineLRScheduler and eval(row.current("sched")) == "cosine"
    assert epochs == sched.t_initial == int(row.current("num_epochs"))
    assert sched.warmup_t == int(row.current("warmup_epochs")) and sched.lr_min == float(row.current("min_lr"))
    assert sched.t_in_epochs is (row.current("step_on_epochs") == "True")


def test_losses_and_mixup_in_force():
    _timm()
    import torch
    from timm.data import Mixup
    from timm.loss import LabelSmoothingCrossEntropy

    logits, target = torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0])
    smoothed = LabelSmoothingCrossEntropy()(logits, target)
    expected = torch.nn.CrossEntropyLoss(label_smoothing=float(
        TABLE.apis["timm.loss.LabelSmoothingCrossEntropy"].current("smoothing")))(logits, target)
    assert torch.allclose(smoothed, expected)
    mix = Mixup()
    assert mix.label_smoothing == float(TABLE.apis["timm.data.Mixup"].current("label_smoothing"))
    assert mix.num_classes == 1000


def test_every_row_is_checked():
    assert len(ROWS) == 5

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
    for spelling in api.spellings:  # a classmethod is bound anew at each access: the function is what matches
        assert tablegen._unbound(tablegen.resolve(spelling)) == tablegen._unbound(obj), spelling


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

def _core(package: str) -> str:
    return "lightning.pytorch" if package == "lightning" else "pytorch_lightning"


@pytest.mark.parametrize("package", PACKAGES)
def test_log_levels_depend_on_the_hook(package):
    _lightning(package)
    import importlib

    fx = importlib.import_module(f"{_core(package)}.trainer.connectors.logger_connector.fx_validator")._FxValidator
    for method in ("log", "log_dict"):
        row = TABLE.apis[f"{package}.LightningModule.{method}"]
        assert (row.current("on_step"), row.current("on_epoch")) == ("None", "None")
        assert (row.current("reduce_fx"), row.current("sync_dist")) == ("'mean'", "False")
    # what the notes say each hook makes of on_step=None, on_epoch=None
    assert fx.get_default_logging_levels("training_step", None, None) == (True, False)
    assert fx.get_default_logging_levels("on_train_batch_end", None, None) == (True, False)
    for hook in ("validation_step", "test_step", "on_train_epoch_end", "on_validation_epoch_end"):
        assert fx.get_default_logging_levels(hook, None, None) == (False, True), hook


def _fit(pl, package, tmp_path, callbacks, epochs=2):
    import importlib

    boring = importlib.import_module(f"{_core(package)}.demos.boring_classes")
    model = boring.BoringModel()
    trainer = pl.Trainer(default_root_dir=str(tmp_path), max_epochs=epochs, limit_train_batches=2,
                         limit_val_batches=2, callbacks=callbacks, logger=False, enable_progress_bar=False,
                         enable_model_summary=False)
    trainer.fit(model)
    return trainer, model


@pytest.mark.parametrize("package", PACKAGES)
def test_checkpoint_defaults_in_force(package, tmp_path):
    pl = _lightning(package)
    import importlib

    callbacks = importlib.import_module(f"{_core(package)}.callbacks")
    row = TABLE.apis[f"{_core(package)}.callbacks.ModelCheckpoint"]
    ckpt = callbacks.ModelCheckpoint(dirpath=str(tmp_path / "ckpt"))
    assert ckpt.monitor is None and repr(ckpt.save_top_k) == row.current("save_top_k")
    assert repr(ckpt.mode) == row.current("mode")
    # without a monitor only the latest epoch's checkpoint is kept
    _fit(pl, package, tmp_path, [ckpt], epochs=3)
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["epoch=2-step=6.ckpt"]
    assert ckpt.best_model_path.endswith("epoch=2-step=6.ckpt")
    # mode 'min': the lowest monitored value is the best (the value to beat starts at +inf)
    import torch

    best = callbacks.ModelCheckpoint(monitor="x")
    assert best.mode == "min" and best.kth_value == torch.tensor(float("inf"))


@pytest.mark.parametrize("package", PACKAGES)
def test_early_stopping_defaults_in_force(package):
    _lightning(package)
    import importlib

    import torch

    callbacks = importlib.import_module(f"{_core(package)}.callbacks")
    row = TABLE.apis[f"{_core(package)}.callbacks.EarlyStopping"]
    stop = callbacks.EarlyStopping(monitor="val_acc")
    assert repr(stop.patience) == row.current("patience") and repr(stop.min_delta) != "None"
    assert stop.monitor_op is torch.lt  # 'min': a decrease is an improvement
    assert stop.check_finite is True and stop.stopping_threshold is None and stop.divergence_threshold is None
    # patience 3: three checks without improvement, stopping at the third
    stop.best_score = torch.tensor(1.0)
    results = [stop._evaluate_stopping_criteria(torch.tensor(2.0))[0] for _ in range(3)]
    assert results == [False, False, True]
    keras_row = TABLE.apis["keras.callbacks.EarlyStopping"]
    assert keras_row.current("patience") == "0" and keras_row.current("mode") == "'auto'"


@pytest.mark.parametrize("package", PACKAGES)
def test_seed_everything_in_force(package, monkeypatch):
    pl = _lightning(package)
    import os

    monkeypatch.delenv("PL_GLOBAL_SEED", raising=False)
    monkeypatch.delenv("PL_SEED_WORKERS", raising=False)
    row = TABLE.apis[f"{package}.seed_everything"]
    with pytest.warns(Warning, match="seed set to 0"):
        assert pl.seed_everything() == 0  # seed None: 0 without PL_GLOBAL_SEED
    assert os.environ["PL_SEED_WORKERS"] == str(int(eval(row.current("workers"))))
    for spelling in row.spellings:
        assert tablegen.resolve(spelling) is pl.seed_everything


@pytest.mark.parametrize("package", PACKAGES)
def test_evaluated_checkpoint_in_force(package, tmp_path):
    pl = _lightning(package)
    import importlib

    fn = importlib.import_module(f"{_core(package)}.trainer.states").TrainerFn
    for method in ("validate", "test"):
        assert TABLE.apis[f"{package}.Trainer.{method}"].current("ckpt_path") == "None"
    trainer = pl.Trainer(default_root_dir=str(tmp_path), logger=False, enable_checkpointing=False)
    connector = trainer._checkpoint_connector
    # a model passed: the weights in memory
    assert connector._parse_ckpt_path(fn.TESTING, None, model_provided=True, model_connected=True) is None
    # no model: the best checkpoint of the previous fit, an error without a checkpoint callback
    with pytest.raises(ValueError, match="ModelCheckpoint"):
        connector._parse_ckpt_path(fn.TESTING, None, model_provided=False, model_connected=True)


@pytest.mark.parametrize("package", PACKAGES)
def test_data_module_from_datasets_in_force(package):
    pl = _lightning(package)
    import torch

    row = TABLE.apis[f"{package}.LightningDataModule.from_datasets"]
    data = torch.utils.data.TensorDataset(torch.zeros(4, 2))
    dm = pl.LightningDataModule.from_datasets(data, data)
    train, val = dm.train_dataloader(), dm.val_dataloader()
    assert repr(train.batch_size) == row.current("batch_size") and repr(val.batch_size) == row.current("batch_size")
    assert isinstance(train.sampler, torch.utils.data.RandomSampler)  # the training loader shuffles
    assert isinstance(val.sampler, torch.utils.data.SequentialSampler)  # the others do not
    assert train.num_workers == 0


def test_every_row_is_checked():
    assert len(ROWS) == 20

# Test data for the labelled accuracy set (tests/test_libs_accuracy.py), not part of defaultlint.
# Excerpt of pytorch-lightning-spells 0.3.0, pytorch_lightning_spells/tests/test_callbacks.py (Apache-2.0), copied unchanged (lines 1-26: imports; lines 146-172: SimpleModel; lines 346-404: LookaheadIntegrationTest).
# Labels: tests/data/libs/labels.toml.

# This is a new file for testing callbacks.
# I will add tests here in the next steps.
import io
import os
import urllib.error
import unittest
from unittest.mock import patch, AsyncMock, MagicMock

import torch
import torch.nn as nn
import pytest
from torch.utils.data import DataLoader, TensorDataset
from pytorch_lightning import Trainer, LightningModule
from pytorch_lightning.callbacks import Callback

from pytorch_lightning_spells.callbacks import (
    NtfyCallback,
    MixUpCallback,
    CutMixCallback,
    SnapMixCallback,
    TelegramCallback,
    LookaheadCallback,
    LookaheadModelCheckpoint,
    RandomAugmentationChoiceCallback,
)
from pytorch_lightning_spells.optimizers import Lookahead


class SimpleModel(LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(32, 1)
        self.counter = 0

    def forward(self, x):
        return self.layer(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        y_hat = self(x)
        loss = torch.nn.functional.mse_loss(y_hat, y)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        y_hat = torch.clamp(self(x), 0, 0.1)
        # Use self.counter to ensure the first epoch always get the best val_loss
        loss = self.counter / 10 - torch.nn.functional.mse_loss(y_hat, y)
        self.counter += 1
        self.log("val_loss", loss)

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.001)
        optimizer = Lookahead(optimizer, k=2)
        return optimizer


class LookaheadIntegrationTest(unittest.TestCase):
    def setUp(self):
        self.model = SimpleModel()
        self.train_loader = DataLoader(TensorDataset(torch.randn(10, 32), torch.randn(10, 1)), batch_size=2)
        self.val_loader = DataLoader(TensorDataset(torch.randn(10, 32), torch.randn(10, 1)), batch_size=2)

    def test_lookahead_callback(self):
        model = SimpleModel()
        trainer = Trainer(
            max_epochs=1,
            limit_train_batches=3,  # Run more steps for weights to diverge
            limit_val_batches=1,
            callbacks=[LookaheadCallback()],
            logger=False,
            enable_checkpointing=False,
        )
        trainer.fit(model, self.train_loader, self.val_loader)

        # Check that the optimizer is a Lookahead optimizer
        self.assertIsInstance(trainer.optimizers[0], Lookahead)

        # Check that the weights are the fast weights after training
        fast_weights = model.layer.weight.clone()

        # Manually trigger validation hooks to check weight swapping
        trainer.callbacks[0].on_validation_start(trainer, model)  # type: ignore
        slow_weights = model.layer.weight.clone()
        self.assertFalse(torch.allclose(fast_weights, slow_weights))

        trainer.callbacks[0].on_validation_end(trainer, model)  # type: ignore
        restored_fast_weights = model.layer.weight.clone()
        self.assertTrue(torch.allclose(fast_weights, restored_fast_weights))

    def test_lookahead_model_checkpoint(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmpdir:
            model = SimpleModel()
            checkpoint_callback = LookaheadModelCheckpoint(
                dirpath=tmpdir, filename="test", save_top_k=1, monitor="val_loss"
            )
            trainer = Trainer(
                max_epochs=3,
                limit_train_batches=3,  # Run more steps for weights to diverge
                limit_val_batches=1,
                callbacks=[checkpoint_callback],
                logger=False,
            )
            trainer.fit(model, self.train_loader, self.val_loader)

            # Load the checkpoint and check the weights
            self.assertTrue(os.path.exists(checkpoint_callback.best_model_path))
            loaded_model = SimpleModel.load_from_checkpoint(checkpoint_callback.best_model_path)

            # The saved weights should be the slow weights, which are different from the final fast weights
            final_fast_weights = model.layer.weight.clone().cpu()
            saved_slow_weights = loaded_model.layer.weight.clone().cpu()
            print(final_fast_weights, saved_slow_weights)
            self.assertFalse(torch.allclose(final_fast_weights, saved_slow_weights))

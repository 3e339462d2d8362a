# Test data for the labelled accuracy set (tests/test_libs_accuracy.py), not part of defaultlint.
# Excerpt of flax 0.12.8, examples/mnist/train.py (Apache-2.0, Copyright 2024 The Flax Authors), copied unchanged (lines 15-60: the model; lines 122-142: its optimizer).
# Labels: tests/data/libs/labels.toml.

"""MNIST example.

Library file which executes the training and evaluation loop for MNIST.
The data is loaded using tensorflow_datasets.
"""

# See issue #620.
# pytype: disable=wrong-keyword-args
from functools import partial
from typing import Any
from pathlib import Path

from absl import logging
from flax import nnx
from flax.metrics import tensorboard
import jax
import ml_collections
import optax
import tensorflow as tf
import tensorflow_datasets as tfds

tf.random.set_seed(0)  # Set the random seed for reproducibility.


class CNN(nnx.Module):
  """A simple CNN model."""

  def __init__(self, rngs: nnx.Rngs):
    self.conv1 = nnx.Conv(1, 32, kernel_size=(3, 3), rngs=rngs)
    self.batch_norm1 = nnx.BatchNorm(32, rngs=rngs)
    self.dropout1 = nnx.Dropout(rate=0.025)
    self.conv2 = nnx.Conv(32, 64, kernel_size=(3, 3), rngs=rngs)
    self.batch_norm2 = nnx.BatchNorm(64, rngs=rngs)
    self.avg_pool = partial(nnx.avg_pool, window_shape=(2, 2), strides=(2, 2))
    self.linear1 = nnx.Linear(3136, 256, rngs=rngs)
    self.dropout2 = nnx.Dropout(rate=0.025)
    self.linear2 = nnx.Linear(256, 10, rngs=rngs)

  def __call__(self, x, rngs: nnx.Rngs):
    x = self.avg_pool(nnx.relu(self.batch_norm1(self.dropout1(self.conv1(x), rngs=rngs))))
    x = self.avg_pool(nnx.relu(self.batch_norm2(self.conv2(x))))
    x = x.reshape(x.shape[0], -1)  # flatten
    x = nnx.relu(self.dropout2(self.linear1(x), rngs=rngs))
    x = self.linear2(x)
    return x



def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> None:
  """Execute model training and evaluation loop.

  Args:
    config: Hyperparameter configuration for training and evaluation.
    workdir: Directory path to store metrics.
  """
  train_ds, test_ds = get_datasets(config)

  # Instantiate the model.
  model = CNN(rngs=nnx.Rngs(0))

  learning_rate = config.learning_rate
  momentum = config.momentum

  summary_writer = tensorboard.SummaryWriter(workdir)
  summary_writer.hparams(dict(config))

  optimizer = nnx.Optimizer(
      model, optax.sgd(learning_rate, momentum), wrt=nnx.Param
  )

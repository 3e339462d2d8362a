"""Functional rows (keras.losses functions, keras.ops, keras.activations, tf.nn, torch.nn.functional) measured
against the installed releases: what each default computes, as the rows and their notes say. Signatures and
spellings are checked with every other row by test_torch_table.py and test_keras_table.py."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from conftest import require_framework

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="defaultlint-keras-home-"))

pytestmark = pytest.mark.frameworks


@pytest.fixture(scope="module")
def fw():
    tf = require_framework("tensorflow")
    keras = require_framework("keras")
    torch = require_framework("torch")
    np = require_framework("numpy")
    return tf, keras, torch, np


def test_keras_loss_functions_take_probabilities_and_return_one_loss_per_sample(fw):
    tf, keras, torch, np = fw
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)).astype("float32")
    probs = np.asarray(keras.ops.softmax(logits))
    labels = rng.integers(0, 4, 6)
    onehot = np.eye(4, dtype="float32")[labels]
    per_sample = np.asarray(keras.losses.sparse_categorical_crossentropy(labels, probs))
    assert per_sample.shape == (6,)
    assert np.allclose(per_sample, np.asarray(keras.losses.sparse_categorical_crossentropy(labels, logits,
                                                                                            from_logits=True)),
                       atol=1e-5)
    assert np.allclose(per_sample, np.asarray(keras.losses.categorical_crossentropy(onehot, probs)), atol=1e-6)
    torch_mean = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert per_sample.mean() == pytest.approx(torch_mean, abs=1e-5)
    y = rng.random((5, 3)).astype("float32")
    p = rng.random((5, 3)).astype("float32") * 0.9 + 0.05
    assert np.asarray(keras.losses.binary_crossentropy(y, p)).shape == (5,)
    assert np.allclose(np.asarray(keras.ops.binary_crossentropy(y, p)).mean(axis=-1),
                       np.asarray(keras.losses.binary_crossentropy(y, p)), atol=1e-5)
    for f in (keras.ops.categorical_crossentropy, keras.ops.sparse_categorical_crossentropy):
        target = onehot if f is keras.ops.categorical_crossentropy else labels
        assert np.allclose(np.asarray(f(target, probs)), per_sample, atol=1e-5)


def test_huber_delta_one_is_smooth_l1_beta_one(fw):
    tf, keras, torch, np = fw
    a, b = np.linspace(-3, 3, 12).astype("float32"), np.zeros(12, dtype="float32")
    k = float(keras.losses.huber(a, b))
    t = torch.nn.functional.smooth_l1_loss(torch.tensor(a), torch.tensor(b)).item()
    assert k == pytest.approx(t, rel=1e-6)


def test_focal_alpha_only_with_class_balancing(fw):
    tf, keras, torch, np = fw
    y = np.array([[1.0, 0.0, 1.0]], dtype="float32")
    p = np.array([[0.7, 0.2, 0.4]], dtype="float32")
    base = np.asarray(keras.losses.binary_focal_crossentropy(y, p))
    assert np.allclose(base, np.asarray(keras.losses.binary_focal_crossentropy(y, p, alpha=0.9)))
    assert not np.allclose(base, np.asarray(keras.losses.binary_focal_crossentropy(y, p, apply_class_balancing=True)))


def test_activation_defaults(fw):
    tf, keras, torch, np = fw
    x = np.linspace(-3, 3, 13).astype("float32")
    t = torch.tensor(x)
    for f in (keras.activations.elu, keras.ops.elu):
        assert np.allclose(np.asarray(f(x)), torch.nn.functional.elu(t).numpy(), atol=1e-6)
    assert np.allclose(np.asarray(keras.activations.relu(x)), np.maximum(x, 0))
    assert np.allclose(np.asarray(tf.nn.leaky_relu(x)), np.where(x > 0, x, 0.2 * x))  # alpha 0.2
    assert not np.allclose(np.asarray(tf.nn.leaky_relu(x)), torch.nn.functional.leaky_relu(t).numpy())
    m = np.arange(6, dtype="float32").reshape(2, 3)
    for f in (keras.activations.softmax, keras.ops.softmax, tf.nn.softmax):
        assert np.allclose(np.asarray(f(m)), np.asarray(keras.ops.softmax(m, axis=-1)))  # the last axis
    assert np.allclose(np.asarray(keras.ops.log_softmax(m)), np.log(np.asarray(keras.ops.softmax(m))), atol=1e-6)


def test_normalize_axes_and_epsilons(fw):
    tf, keras, torch, np = fw
    m = np.array([[3.0, 4.0], [0.0, 0.0]], dtype="float32")
    assert np.allclose(np.asarray(keras.ops.normalize(m)), [[0.6, 0.8], [0.0, 0.0]])  # along the last axis
    assert np.allclose(torch.nn.functional.normalize(torch.tensor(m)).numpy(), [[0.6, 0.8], [0, 0]])
    whole = np.asarray(tf.math.l2_normalize(m))  # axis None: every element together
    assert np.allclose(whole, m / 5.0)
    tiny = np.array([[1e-8, 0.0]], dtype="float32")
    # TensorFlow floors the sum of squares at 1e-12 (norm 1e-6); torch floors the norm at 1e-12
    assert np.allclose(np.asarray(tf.math.l2_normalize(tiny, axis=1)), [[1e-2, 0.0]], rtol=1e-3)
    assert np.allclose(torch.nn.functional.normalize(torch.tensor(tiny)).numpy(), [[1.0, 0.0]], rtol=1e-3)


def test_depth_to_space_orders_channels_unlike_pixel_shuffle(fw):
    tf, keras, torch, np = fw
    c = np.arange(8, dtype="float32")  # one pixel, 8 channels, block 2: 2 output channels
    tf_out = np.asarray(tf.nn.depth_to_space(c.reshape(1, 1, 1, 8), 2))  # NHWC
    torch_out = torch.nn.functional.pixel_shuffle(torch.tensor(c).reshape(1, 8, 1, 1), 2)  # NCHW
    tf_chw = tf_out[0].transpose(2, 0, 1)
    assert tf_chw.shape == tuple(torch_out[0].shape) == (2, 2, 2)
    assert not np.array_equal(tf_chw, torch_out[0].numpy())  # same shapes, other channel order
    assert tf_chw[0].ravel().tolist() == [0, 2, 4, 6] and torch_out[0, 0].flatten().tolist() == [0, 1, 2, 3]
    back = np.asarray(tf.nn.space_to_depth(tf_out, 2))
    assert np.array_equal(back.ravel(), c)


def test_tf_spellings(fw):
    tf, keras, torch, np = fw
    assert tf.nn.l2_normalize is tf.math.l2_normalize

"""Data and preprocessing rows measured against the installed torch and Keras: what DistributedSampler,
pad_sequences/pad_sequence, load_img and the Keras image layers do by default, as their rows and notes say.
Signatures, spellings (legacy aliases included) and resolved sentinels are checked with every other row by
test_torch_table.py and test_keras_table.py."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="defaultlint-keras-home-"))

pytestmark = pytest.mark.frameworks
TABLE = load_table()


def default(name: str, param: str):
    return eval(TABLE.apis[name].param(param).default)  # noqa: S307 - table data


@pytest.fixture(scope="module")
def torch():
    return require_framework("torch")


@pytest.fixture(scope="module")
def keras():
    require_framework("tensorflow")
    return require_framework("keras")


@pytest.fixture(scope="module")
def np():
    return require_framework("numpy")


def test_distributed_sampler_shuffles_with_seed_0_and_repeats_without_set_epoch(torch):
    from torch.utils.data import DistributedSampler

    name = "torch.utils.data.DistributedSampler"
    data = list(range(10))
    s = DistributedSampler(data, num_replicas=3, rank=0)
    assert (s.shuffle, s.seed, s.drop_last) == (default(name, "shuffle"), default(name, "seed"),
                                                default(name, "drop_last")) == (True, 0, False)
    first = list(s)
    assert first != sorted(first) or len(first) < 2
    assert list(s) == first  # no set_epoch: the same order again
    assert list(DistributedSampler(data, num_replicas=3, rank=0)) == first  # and in the next run (seed 0)
    s.set_epoch(1)
    assert list(s) != first
    # drop_last=False pads 10 samples to 12 so that each of 3 processes gets 4: two are seen twice
    everything = [i for r in range(3) for i in DistributedSampler(data, num_replicas=3, rank=r)]
    assert len(everything) == 12 and set(everything) == set(data)


def test_pad_sequences_pads_and_truncates_at_the_front(keras, torch, np):
    out = keras.utils.pad_sequences([[1, 2], [3, 4, 5, 6]], maxlen=3)
    assert out.tolist() == [[0, 1, 2], [4, 5, 6]]
    assert out.dtype == np.int32
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    from torch.nn.utils.rnn import pad_sequence

    padded = pad_sequence([torch.tensor([1, 2]), torch.tensor([3, 4, 5])])
    assert padded.shape == (3, 2)  # batch_first=False: time first
    assert padded.T.tolist() == [[1, 2, 0], [3, 4, 5]]  # padding_side='right', padding_value 0


def test_load_img_resizes_with_nearest(keras, np, tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    Image.fromarray(pixels).save(path)
    img = np.asarray(keras.utils.load_img(path, target_size=(16, 16)))
    nearest = np.asarray(keras.utils.load_img(path, target_size=(16, 16), interpolation="nearest"))
    bilinear = np.asarray(keras.utils.load_img(path, target_size=(16, 16), interpolation="bilinear"))
    assert np.array_equal(img, nearest) and not np.array_equal(img, bilinear)
    assert set(map(tuple, img.reshape(-1, 3))) <= set(map(tuple, pixels.reshape(-1, 3)))  # only source pixels
    assert np.asarray(keras.utils.load_img(path)).shape == (32, 48, 3)  # target_size None: the image's size


def test_random_flip_flips_both_axes_at_once(keras, np):
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    layer = keras.layers.RandomFlip(seed=0)
    seen = {tuple(np.asarray(layer(x, training=True)).ravel()) for _ in range(40)}
    # one draw decides both axes: the image as it is, or turned upside down and mirrored; never one flip alone
    assert seen == {tuple(x.ravel()), tuple(x[:, ::-1, ::-1].ravel())}


def test_random_rotation_reflects_and_interpolates_bilinearly(keras, np):
    x = np.ones((1, 16, 16, 1), dtype="float32")
    out = np.asarray(keras.layers.RandomRotation((0.125, 0.125), seed=0)(x, training=True))
    assert np.allclose(out, 1.0, atol=1e-5)  # the corners a rotation uncovers are filled by reflection, not 0
    constant = np.asarray(keras.layers.RandomRotation((0.125, 0.125), fill_mode="constant", seed=0)(x, training=True))
    assert constant[0, 0, 0, 0] == 0
    ramp = np.tile(np.arange(16, dtype="float32"), (16, 1)).reshape(1, 16, 16, 1)
    rotated = np.asarray(keras.layers.RandomRotation((0.05, 0.05), seed=0)(ramp, training=True))
    assert not np.allclose(rotated, np.round(rotated))  # values between pixels: interpolated, not nearest


def test_colour_layers_assume_0_255(keras, np):
    x = np.full((1, 4, 4, 3), 0.5, dtype="float32")  # an image scaled to [0, 1]
    bright = np.asarray(keras.layers.RandomBrightness((0.2, 0.2), seed=0)(x, training=True))
    assert np.allclose(bright, 0.5 + 0.2 * 255)  # a shift of factor * 255
    assert np.allclose(np.asarray(keras.layers.RandomBrightness((0.2, 0.2), value_range=(0, 1), seed=0)(
        x, training=True)), 0.7)
    big = np.full((1, 4, 4, 3), 300.0, dtype="float32")
    y = np.asarray(keras.layers.RandomContrast(0.5, seed=0)(big, training=True))
    assert y.max() <= 255.0  # clipped to the default value_range


def test_random_crop_does_not_crop_at_inference(keras, np):
    x = np.arange(64, dtype="float32").reshape(1, 8, 8, 1)
    assert np.array_equal(np.asarray(keras.layers.RandomCrop(4, 4)(x, training=False)), x)
    assert np.asarray(keras.layers.RandomCrop(4, 4, seed=0)(x, training=True)).shape == (1, 4, 4, 1)


def test_rescaling_offset_zero(keras, np):
    x = np.full((1, 2, 2, 1), 255.0, dtype="float32")
    assert np.allclose(np.asarray(keras.layers.Rescaling(1 / 255)(x)), 1.0)


def test_legacy_loader_aliases_are_the_same_functions(keras):
    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory
    assert keras.preprocessing.image.load_img is keras.utils.load_img

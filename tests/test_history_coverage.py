"""Default changes a user can hit when upgrading, each recorded in the table with its release (hand-verified
rows or the history read from the wheels)."""

from __future__ import annotations

import pytest

from defaultlint.project.tables import load_table

TABLE = load_table()

CHANGES = [  # (row, parameter, release, value before, value from then on)
    ("torchvision.transforms.Resize", "antialias", (0, 17), "'warn'", "True"),
    ("torchvision.transforms.v2.Resize", "antialias", (0, 17), "'warn'", "True"),
    ("torch.load", "weights_only", (2, 6), "False", "True"),
    ("torch.optim.SGD", "lr", (2, 2), "<required>", "0.001"),
    ("keras.losses.MeanSquaredError", "reduction", (3,), "'auto'", "'sum_over_batch_size'"),
    ("keras.optimizers.Lion", "learning_rate", (3,), "0.0001", "0.001"),
    ("keras.layers.GRU", "reset_after", (2, 3), "False", "True"),
    ("keras.optimizers.RMSprop", "ema_overwrite_frequency", (3, 4), "100", "None"),
]

ADDED = [  # (row, parameter, the release that added it)
    ("torch.nn.GELU", "approximate", (1, 12)),
    ("torch.nn.MultiheadAttention", "batch_first", (1, 9)),
    ("keras.layers.LeakyReLU", "negative_slope", (3,)),
    ("tensorflow.data.Dataset.batch", "num_parallel_calls", (2, 5)),
]


@pytest.mark.parametrize("row,param,release,before,after", CHANGES, ids=[f"{c[0]}.{c[1]}" for c in CHANGES])
def test_a_known_change_is_recorded(row, param, release, before, after):
    assert [(c.version, c.before, c.after) for c in TABLE.apis[row].changes_of(param)
            if c.version == release] == [(release, before, after)]


@pytest.mark.parametrize("row,param,release", ADDED, ids=[f"{a[0]}.{a[1]}" for a in ADDED])
def test_a_known_addition_is_recorded(row, param, release):
    assert TABLE.apis[row].added[param] == release

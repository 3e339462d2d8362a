# Written for defaultlint's tests (no PyPI package ships a Flax model with its PyTorch and Keras twins): a small
# CNN in Flax linen trained with optax.adamw. Twins: cnn_pt.py (PyTorch), cnn_keras.py (Keras). Labels in
# tests/test_compare_flax.py.
import flax.linen as nn
import optax


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool = True):
        x = nn.Conv(32, (3, 3))(x)
        x = nn.BatchNorm(use_running_average=not train)(x)
        x = nn.relu(x)
        x = x.reshape((x.shape[0], -1))
        x = nn.Dense(128)(x)
        x = nn.LayerNorm()(x)
        x = nn.gelu(x)
        x = nn.Dropout(0.1, deterministic=not train)(x)
        return nn.Dense(10)(x)


tx = optax.adamw(1e-3)

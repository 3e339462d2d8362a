# Written for defaultlint's tests: the Keras twin of cnn_flax.py (same layers, same learning rate).
import keras


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(32, 3)
        self.bn = keras.layers.BatchNormalization()
        self.fc1 = keras.layers.Dense(128)
        self.norm = keras.layers.LayerNormalization()
        self.drop = keras.layers.Dropout(0.1)
        self.fc2 = keras.layers.Dense(10)


opt = keras.optimizers.AdamW(1e-3)

# Excerpt of d2l 1.0.3, d2l/tensorflow.py (Apache-2.0 for code), class AddNorm, unchanged; imports added.
# Labels (compare d2l_tf.py -> d2l_pt.py): LayerNormalization epsilon 0.001 vs LayerNorm eps 1e-05 is a real
# default divergence (1); the dropout rates are the same expression.
import tensorflow as tf


class AddNorm(tf.keras.layers.Layer):
    """The residual connection followed by layer normalization.

    Defined in :numref:`subsec_positionwise-ffn`"""
    def __init__(self, norm_shape, dropout):
        super().__init__()
        self.dropout = tf.keras.layers.Dropout(dropout)
        self.ln = tf.keras.layers.LayerNormalization(norm_shape)

    def call(self, X, Y, **kwargs):
        return self.ln(self.dropout(Y, **kwargs) + X)

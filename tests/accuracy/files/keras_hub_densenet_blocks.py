# Third-party code, copied unchanged (excerpt) for defaultlint's accuracy measurement.
# package: keras-hub 0.32.0
# original path: keras_hub/src/models/densenet/densenet_backbone.py (lines 1-1, 129-230)
# licence: Apache-2.0
import keras

def apply_dense_block(x, channel_axis, num_repeats, growth_rate, name=None):
    """A dense block.

    Args:
      x: input tensor.
      num_repeats: int, number of repeated convolutional blocks.
      growth_rate: int, number of filters added by each dense block.
      name: string, block label.
    """
    if name is None:
        name = f"dense_block_{keras.backend.get_uid('dense_block')}"

    for i in range(num_repeats):
        x = apply_conv_block(
            x, channel_axis, growth_rate, name=f"{name}_block{i + 1}"
        )
    return x


def apply_transition_block(x, channel_axis, compression_ratio, name=None):
    """A transition block.

    Args:
      x: input tensor.
      compression_ratio: float, compression rate at transition layers.
      name: string, block label.
    """
    data_format = keras.config.image_data_format()
    if name is None:
        name = f"transition_block_{keras.backend.get_uid('transition_block')}"

    x = keras.layers.BatchNormalization(
        axis=channel_axis, epsilon=BN_EPSILON, name=f"{name}_bn"
    )(x)
    x = keras.layers.Activation("relu", name=f"{name}_relu")(x)
    x = keras.layers.Conv2D(
        int(x.shape[channel_axis] * compression_ratio),
        1,
        use_bias=False,
        data_format=data_format,
        name=f"{name}_conv",
    )(x)
    x = keras.layers.AveragePooling2D(
        2, strides=2, data_format=data_format, name=f"{name}_pool"
    )(x)
    return x


def apply_conv_block(x, channel_axis, growth_rate, name=None):
    """A building block for a dense block.

    Args:
      x: input tensor.
      growth_rate: int, number of filters added by each dense block.
      name: string, block label.
    """
    data_format = keras.config.image_data_format()
    if name is None:
        name = f"conv_block_{keras.backend.get_uid('conv_block')}"

    shortcut = x
    x = keras.layers.BatchNormalization(
        axis=channel_axis, epsilon=BN_EPSILON, name=f"{name}_1_bn"
    )(x)
    x = keras.layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = keras.layers.Conv2D(
        4 * growth_rate,
        1,
        use_bias=False,
        data_format=data_format,
        name=f"{name}_1_conv",
    )(x)
    x = keras.layers.BatchNormalization(
        axis=channel_axis, epsilon=BN_EPSILON, name=f"{name}_2_bn"
    )(x)
    x = keras.layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = keras.layers.Conv2D(
        growth_rate,
        3,
        padding="same",
        use_bias=False,
        data_format=data_format,
        name=f"{name}_2_conv",
    )(x)
    x = keras.layers.Concatenate(axis=channel_axis, name=f"{name}_concat")(
        [shortcut, x]
    )
    return x

# Third-party code, copied unchanged (excerpt) for defaultlint's accuracy measurement.
# package: keras-hub 0.32.0
# original path: keras_hub/src/models/resnet/resnet_backbone.py (lines 1-3, 281-408)
# licence: Apache-2.0
import keras
from keras import layers
from keras import ops

def apply_basic_block(
    x,
    filters,
    kernel_size=3,
    stride=1,
    conv_shortcut=False,
    use_pre_activation=False,
    data_format=None,
    dtype=None,
    name=None,
):
    """Applies a basic residual block.

    Args:
        x: Tensor. The input tensor to pass through the block.
        filters: int. The number of filters in the block.
        kernel_size: int. The kernel size of the bottleneck layer. Defaults to
            `3`.
        stride: int. The stride length of the first layer. Defaults to `1`.
        conv_shortcut: bool. If `True`, use a convolution shortcut. If `False`,
            use an identity or pooling shortcut based on the stride. Defaults to
            `False`.
        use_pre_activation: boolean. Whether to use pre-activation or not.
            `True` for ResNetV2, `False` for ResNet. Defaults to `False`.
        data_format: `None` or str. the ordering of the dimensions in the
            inputs. Can be `"channels_last"`
             (`(batch_size, height, width, channels)`) or`"channels_first"`
            (`(batch_size, channels, height, width)`).
        dtype: `None` or str or `keras.mixed_precision.DTypePolicy`. The dtype
            to use for the models computations and weights.
        name: str. A prefix for the layer names used in the block.

    Returns:
        The output tensor for the basic residual block.
    """
    data_format = data_format or keras.config.image_data_format()
    bn_axis = -1 if data_format == "channels_last" else 1

    x_preact = None
    if use_pre_activation:
        x_preact = layers.BatchNormalization(
            axis=bn_axis,
            epsilon=1e-5,
            momentum=0.9,
            dtype=dtype,
            name=f"{name}_pre_activation_bn",
        )(x)
        x_preact = layers.Activation(
            "relu", dtype=dtype, name=f"{name}_pre_activation_relu"
        )(x_preact)

    if conv_shortcut:
        if x_preact is not None:
            shortcut = x_preact
        else:
            shortcut = x
        shortcut = layers.Conv2D(
            filters,
            1,
            strides=stride,
            data_format=data_format,
            use_bias=False,
            dtype=dtype,
            name=f"{name}_0_conv",
        )(shortcut)
        if not use_pre_activation:
            shortcut = layers.BatchNormalization(
                axis=bn_axis,
                epsilon=1e-5,
                momentum=0.9,
                dtype=dtype,
                name=f"{name}_0_bn",
            )(shortcut)
    else:
        shortcut = x

    x = x_preact if x_preact is not None else x
    if stride > 1:
        x = layers.ZeroPadding2D(
            (kernel_size - 1) // 2,
            data_format=data_format,
            dtype=dtype,
            name=f"{name}_1_pad",
        )(x)
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=stride,
        padding="valid" if stride > 1 else "same",
        data_format=data_format,
        use_bias=False,
        dtype=dtype,
        name=f"{name}_1_conv",
    )(x)
    x = layers.BatchNormalization(
        axis=bn_axis,
        epsilon=1e-5,
        momentum=0.9,
        dtype=dtype,
        name=f"{name}_1_bn",
    )(x)
    x = layers.Activation("relu", dtype=dtype, name=f"{name}_1_relu")(x)

    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=1,
        padding="same",
        data_format=data_format,
        use_bias=False,
        dtype=dtype,
        name=f"{name}_2_conv",
    )(x)
    if not use_pre_activation:
        x = layers.BatchNormalization(
            axis=bn_axis,
            epsilon=1e-5,
            momentum=0.9,
            dtype=dtype,
            name=f"{name}_2_bn",
        )(x)
        x = layers.Add(dtype=dtype, name=f"{name}_add")([shortcut, x])
        x = layers.Activation("relu", dtype=dtype, name=f"{name}_out")(x)
    else:
        x = layers.Add(dtype=dtype, name=f"{name}_out")([shortcut, x])
    return x



# Third-party code, copied unchanged (excerpt) for defaultlint's accuracy measurement.
# package: timm 1.0.31
# original path: timm/data/transforms_factory.py (lines 20-63, 273-385)
# licence: Apache-2.0
import math
import torch
from torchvision import transforms

def transforms_noaug_train(
        img_size: Union[int, Tuple[int, int]] = 224,
        interpolation: str = 'bilinear',
        mean: Tuple[float, ...] = IMAGENET_DEFAULT_MEAN,
        std: Tuple[float, ...] = IMAGENET_DEFAULT_STD,
        use_prefetcher: bool = False,
        normalize: bool = True,
):
    """ No-augmentation image transforms for training.

    Args:
        img_size: Target image size.
        interpolation: Image interpolation mode.
        mean: Image normalization mean.
        std: Image normalization standard deviation.
        use_prefetcher: Prefetcher enabled. Do not convert image to tensor or normalize.
        normalize: Normalization tensor output w/ provided mean/std (if prefetcher not used).

    Returns:

    """
    if interpolation == 'random':
        # random interpolation not supported with no-aug
        interpolation = 'bilinear'
    tfl = [
        transforms.Resize(img_size, interpolation=str_to_interp_mode(interpolation)),
        transforms.CenterCrop(img_size)
    ]
    if use_prefetcher:
        # prefetcher and collate will handle tensor conversion and norm
        tfl += [MaybePILToTensor()]
    elif not normalize:
        # when normalize disabled, converted to tensor without scaling, keep original dtype
        tfl += [MaybePILToTensor()]
    else:
        tfl += [
            MaybeToTensor(),
            transforms.Normalize(
                mean=torch.tensor(mean),
                std=torch.tensor(std)
            )
        ]
    return transforms.Compose(tfl)


def transforms_imagenet_eval(
        img_size: Union[int, Tuple[int, int]] = 224,
        crop_pct: Optional[float] = None,
        crop_mode: Optional[str] = None,
        crop_border_pixels: Optional[int] = None,
        interpolation: str = 'bilinear',
        mean: Tuple[float, ...] = IMAGENET_DEFAULT_MEAN,
        std: Tuple[float, ...] = IMAGENET_DEFAULT_STD,
        use_prefetcher: bool = False,
        normalize: bool = True,
        naflex: bool = False,
        patch_size: Union[int, Tuple[int, int]] = 16,
        max_seq_len: int = 576,  # 24x24 for 16x16 patch
        patchify: bool = False,
        patchify_channels_last: bool = True,
        patchify_flatten: bool = True,
):
    """ ImageNet-oriented image transform for evaluation and inference.

    Args:
        img_size: Target image size.
        crop_pct: Crop percentage. Defaults to 0.875 when None.
        crop_mode: Crop mode. One of ['squash', 'border', 'center']. Defaults to 'center' when None.
        crop_border_pixels: Trim a border of specified # pixels around edge of original image.
        interpolation: Image interpolation mode.
        mean: Image normalization mean.
        std: Image normalization standard deviation.
        use_prefetcher: Prefetcher enabled. Do not convert image to tensor or normalize.
        normalize: Normalize tensor output w/ provided mean/std (if prefetcher not used).
        naflex: Enable NaFlex mode, sequence constrained patch output
        patch_size: Patch size for NaFlex mode.
        max_seq_len: Max sequence length for NaFlex mode.
        patchify: Patchify the output instead of relying on prefetcher
        patchify_channels_last: Use channels-last layout within each patch.
        patchify_flatten: Flatten each patch into a vector. Disable for variable
            patch-size interpolation, which requires spatial patch dimensions.

    Returns:
        Composed transform pipeline
    """
    crop_pct = crop_pct or DEFAULT_CROP_PCT

    if isinstance(img_size, (tuple, list)):
        assert len(img_size) == 2
        scale_size = tuple([math.floor(x / crop_pct) for x in img_size])
    else:
        scale_size = math.floor(img_size / crop_pct)
        scale_size = (scale_size, scale_size)

    tfl = []

    if crop_border_pixels:
        tfl += [TrimBorder(crop_border_pixels)]

    if naflex:
        tfl += [ResizeToSequence(
            patch_size=patch_size,
            max_seq_len=max_seq_len,
            interpolation=interpolation,
        )]
    else:
        if crop_mode == 'squash':
            # squash mode scales each edge to 1/pct of target, then crops
            # aspect ratio is not preserved, no img lost if crop_pct == 1.0
            tfl += [
                transforms.Resize(scale_size, interpolation=str_to_interp_mode(interpolation)),
                transforms.CenterCrop(img_size),
            ]
        elif crop_mode == 'border':
            # scale the longest edge of image to 1/pct of target edge, add borders to pad, then crop
            # no image lost if crop_pct == 1.0
            fill = [round(255 * v) for v in mean]
            tfl += [
                ResizeKeepRatio(scale_size, interpolation=interpolation, longest=1.0),
                CenterCropOrPad(img_size, fill=fill),
            ]
        else:
            # default crop model is center
            # aspect ratio is preserved, crops center within image, no borders are added, image is lost
            if scale_size[0] == scale_size[1]:
                # simple case, use torchvision built-in Resize w/ shortest edge mode (scalar size arg)
                tfl += [
                    transforms.Resize(scale_size[0], interpolation=str_to_interp_mode(interpolation))
                ]
            else:
                # resize the shortest edge to matching target dim for non-square target
                tfl += [ResizeKeepRatio(scale_size, interpolation=interpolation)]
            tfl += [transforms.CenterCrop(img_size)]

    if use_prefetcher:
        # prefetcher and collate will handle tensor conversion and norm
        tfl += [MaybePILToTensor()]
    elif not normalize:
        # when normalize disabled, converted to tensor without scaling, keeps original dtype
        tfl += [MaybePILToTensor()]
    else:
        tfl += [
            MaybeToTensor(),
            transforms.Normalize(
                mean=torch.tensor(mean),
                std=torch.tensor(std),
            ),
        ]

    if patchify:
        tfl += [Patchify(
            patch_size=patch_size,
            flatten_patches=patchify_flatten,
            channels_last=patchify_channels_last,
        )]

    return transforms.Compose(tfl)


"""MMAction2's ``ColorJitter`` with its linear adjustments fused.

MMAction2's ``ColorJitter`` draws one brightness, contrast and saturation
factor and one hue shift per clip, then adjusts each frame in four numpy
passes with temporaries: about 4 ms for 16 frames of 112x112 on one core
here, a quarter of a UCF101 clip's whole training pipeline, decoding
included (``docs/benchmarks.md``). :class:`ClipColorJitter` computes the
same function with fewer passes:

* brightness ``x -> b x``, contrast ``x -> c x + (1 - c) mean(gray(x))``
  and saturation ``x -> s x + (1 - s) gray(x)`` are affine maps of the RGB
  vector (the frame's mean grey is itself linear in the frame), so each run
  of them between hue shifts is composed into one 3 x 4 matrix and applied
  by one ``cv2.transform``;
* the hue shift (uint8 HSV, hue + offset mod 180, back to RGB) uses a
  per-channel lookup table instead of int16 arithmetic.

Same draws from ``np.random`` in the same order, the same order of the four
adjustments (``fn_idx``, drawn once when the transform is built, as in the
parent), values clipped at the same two places (before a hue shift and at
the end) and truncated to uint8 as the parent does. Only float rounding
differs: nearly every pixel comes out identical, some one grey level apart,
and a very few (about 1e-5 of them) a few levels apart, where a rounding
difference before the hue step moves a pixel across an HSV quantisation
step (``tests/test_color_jitter.py`` bounds both).
"""
import cv2
import numpy as np
from mmaction.datasets.transforms import ColorJitter
from mmaction.registry import TRANSFORMS

# the parent's grey weights, read off its own function (R, G, B)
_GRAY = ColorJitter.rgb_to_grayscale(np.eye(3))


def _hue_table(factor):
    """Per-channel LUT of the parent's hue shift: H -> (H + offset) % 180
    (OpenCV's 8-bit hue is 0..179), S and V unchanged."""
    table = np.tile(np.arange(256, dtype=np.int16)[:, None], (1, 3))
    table[:, 0] = (table[:, 0] + int(factor * 255)) % 180
    return table.astype(np.uint8)[None]  # (1, 256, 3)


def _to_uint8(frame):
    """Clip to [0, 255] and truncate, as the parent's ``astype``."""
    return np.clip(frame, 0, 255, out=frame).astype(np.uint8)


@TRANSFORMS.register_module()
class ClipColorJitter(ColorJitter):
    """Drop-in ``ColorJitter``: same arguments, draws and output (up to
    float rounding, see the module docstring), in about two thirds of the
    time.

    Required keys: ``imgs`` (``H x W x 3`` RGB uint8 frames of one clip).
    Modified: ``imgs`` (a list of ``H x W x 3`` uint8 frames).

    Args: as ``ColorJitter``: ``brightness`` 0.5, ``contrast`` 0.5,
        ``saturation`` 0.5, ``hue`` 0.1 (ranges around 1, 1, 1 and 0).
    """

    def transform(self, results):
        b = np.random.uniform(low=self.brightness[0], high=self.brightness[1])
        c = np.random.uniform(low=self.contrast[0], high=self.contrast[1])
        s = np.random.uniform(low=self.saturation[0], high=self.saturation[1])
        h = np.random.uniform(low=self.hue[0], high=self.hue[1])
        factors = (b, c, s, h)  # no-ops skipped, as the parent does
        steps = [(i, factors[i]) for i in self.fn_idx
                 if factors[i] != (0 if i == 3 else 1)]
        table = _hue_table(h) if h != 0 else None
        out = []
        for img in results['imgs']:
            if img.ndim != 3 or img.shape[2] != 3:
                raise ValueError('ClipColorJitter expects H x W x 3 frames, '
                                 f'got {img.shape}')
            out.append(_jitter(img, steps, table))
        results['imgs'] = out
        return results


def _jitter(img, steps, table):
    """One frame (frame by frame: a frame stays in cache through all the
    steps, which a whole-clip array does not): each run of affine steps
    as one matrix, the hue shift by LUT."""
    frame = img.astype(np.float32, order='C')  # a copy; cv2 writes into it
    affine = np.eye(3, 4)  # y = affine[:, :3] @ x + affine[:, 3]
    mean = None  # mean RGB of ``frame``, what ``affine`` applies to
    for fn_id, factor in steps:
        if fn_id == 0:  # brightness
            affine = factor * affine
        elif fn_id == 1:  # contrast, towards the mean grey of y
            if mean is None:
                mean = np.array(cv2.mean(frame)[:3])
            grey = _GRAY @ (affine[:, :3] @ mean + affine[:, 3])
            affine = factor * affine
            affine[:, 3] += (1 - factor) * grey
        elif fn_id == 2:  # saturation, towards each pixel's grey
            mix = factor * np.eye(3) + (1 - factor) * np.outer(
                np.ones(3), _GRAY)
            affine = mix @ affine
        else:  # hue: apply what came before, then the uint8 HSV shift
            hsv = cv2.cvtColor(_to_uint8(_apply(frame, affine)),
                               cv2.COLOR_RGB2HSV)
            frame = cv2.cvtColor(cv2.LUT(hsv, table),
                                 cv2.COLOR_HSV2RGB).astype(np.float32)
            affine, mean = np.eye(3, 4), None
    return _to_uint8(_apply(frame, affine))


def _apply(frame, affine):
    """``affine[:, :3] @ pixel + affine[:, 3]`` for every pixel, in place."""
    if not np.array_equal(affine, np.eye(3, 4)):
        frame = cv2.transform(frame, affine, dst=frame)
    return frame

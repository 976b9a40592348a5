r"""MLFO's views: two short clips and one long clip of one 32-frame window.

Multi-level feature optimization (Qian et al., ICCV 2021, §4.2; the
authors' code for what the paper leaves out, ``docs/mlfo.md``) draws, per
video, one window of ``2 K`` consecutive frames (K = 16) at a random frame
step ``s`` in ``U[1, min(max_stride, n // (2 K))]`` from a random start
``w``, and makes three clips of K frames out of it::

    clip 0 ("short", positive view 1)   w + s * (0, 1, ..., K - 1)
    clip 1 ("short", positive view 2)   w + s * (K, K + 1, ..., 2K - 1)
    clip 2 ("long",  timestamp retrieval) w + s * (0, 2, ..., 2K - 2)

Worked example (K = 4, s = 2, w = 3)::

    clip 0   3  5  7  9 | clip 1  11 13 15 17 | clip 2   3  7 11 15

:class:`MLFOWindowSampler` writes the three clips' indices (``(3 K,)``,
clip after clip). :class:`ViewsOfOneDraw` is the two-view machinery of
:class:`~.multi_view.MultiViewClips` (one decoding pass over the union of the
indices, each view augmented on its own) for views that come from *one*
draw: it splits the draw into ``num_views`` equal views. MLFO's pipeline::

    dict(type='DecordInit'),
    dict(type='ViewsOfOneDraw', num_views=3,
         sampler=dict(type='MLFOWindowSampler', clip_len=16),
         transforms=[dict(type='RandomResizedCrop', area_range=(0.5, 1)),
                     dict(type='Resize', scale=(112, 112), keep_ratio=False),
                     dict(type='Flip', flip_ratio=0.5),
                     dict(type='FrameRandomGray', p=0.5),
                     dict(type='FrameColorJitter', ...),
                     dict(type='FormatShape', input_format='NCTHW')]),
    dict(type='PackActionInputs')

(``mmauxskd.cfg.mlfo_pipeline`` builds it from a single-clip pipeline.)
Output ``imgs``: ``(3, C, K, H, W)``, batched to ``(B, 3, C, K, H, W)``.
"""
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .base_sampler import BasePretextSampler
from .color_jitter import ClipColorJitter
from .multi_view import MultiViewClips, draw_indices

__all__ = ['MLFOWindowSampler', 'ViewsOfOneDraw', 'FrameRandomGray',
           'FrameColorJitter']


@TRANSFORMS.register_module()
class MLFOWindowSampler(BasePretextSampler):
    """Two consecutive short clips and the long clip spanning both.

    Writes ``frame_inds`` (``(3 K,)``, clips 0, 1, 2 of the module
    docstring, ``start_index`` added), ``clip_len`` (K), ``num_clips`` (3),
    ``frame_interval`` (None), ``mlfo_stride`` (s) and ``mlfo_start`` (w).

    Args:
        clip_len (int): K. Defaults to 16.
        max_stride (int): largest frame step s. Defaults to 3 (authors'
            code).
        out_of_bound_opt (str): for videos shorter than ``2 K``:
            ``'loop'`` or ``'repeat_last'``.
        test_mode (bool): deterministic per-video draw; ``s = 1`` and a
            centred start unless ``test_start='random'``, which draws both.
        seed (int): mixed into the test-mode per-video seed.
        test_start (str): ``'centre'`` or ``'random'``.
    """

    clips_per_sample = 3

    def __init__(self, clip_len=16, max_stride=3, out_of_bound_opt='loop',
                 test_mode=False, seed=0, test_start='centre'):
        super().__init__(clip_len, out_of_bound_opt, test_mode, seed,
                         test_start)
        self.check_int('max_stride', max_stride, 1)
        self.max_stride = int(max_stride)

    @property
    def min_frames(self):
        """``2 K``: the window at stride 1 (shorter videos loop; reported)."""
        return 2 * self.clip_len

    def sample_indices(self, num_frames, rng=None, stride=None, start=None):
        """Indices ``(3 K,)`` and ``mlfo_stride`` / ``mlfo_start``.

        Args:
            num_frames (int): frames in the video.
            rng (numpy.random.Generator, optional): source of the draw.
            stride (int, optional): force s.
            start (int, optional): force w.
        """
        rng = self._begin(num_frames, rng)
        window = 2 * self.clip_len
        if stride is None:
            top = max(1, min(self.max_stride, num_frames // window))
            centred = self.test_mode and self.test_start == 'centre'
            stride = 1 if centred else int(rng.integers(1, top + 1))
        if start is None:
            start = self._start(num_frames - stride * (window - 1) - 1, rng)
        k = np.arange(self.clip_len)
        steps = np.concatenate([k, k + self.clip_len, 2 * k])
        inds = start + stride * steps
        return self._bound(inds, num_frames), dict(
            mlfo_stride=int(stride), mlfo_start=int(start))

    def __repr__(self):
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'max_stride={self.max_stride}, '
                f'out_of_bound_opt={self.out_of_bound_opt!r}, '
                f'test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class ViewsOfOneDraw(MultiViewClips):
    """:class:`MultiViewClips` whose views are the parts of one sampler draw.

    The sampler runs once; its ``frame_inds`` are split into ``num_views``
    equal consecutive parts, view ``v`` being part ``v`` (for
    :class:`MLFOWindowSampler` with ``num_views=3``: the two short clips
    and the long clip). Each view carries the draw's other keys
    (``mlfo_stride``, ...). Decoding (once, over the union of the
    indices) and the per-view augmentation are :class:`MultiViewClips`'.

    Args:
        sampler (dict): a sampler drawing ``num_views`` clips at once.
        num_views (int): parts of the draw. Defaults to 3.
        **kwargs: ``transforms``, ``decoder`` as for :class:`MultiViewClips`.
    """

    def __init__(self, sampler=dict(type='MLFOWindowSampler'), num_views=3,
                 **kwargs):
        super().__init__(sampler=sampler, num_views=num_views, **kwargs)

    def _sample_views(self, results):
        draw = draw_indices(self.sampler, results)
        inds = draw['frame_inds']
        if len(inds) % self.num_views:
            raise ValueError(
                f'ViewsOfOneDraw: {type(self.sampler).__name__} drew '
                f'{len(inds)} frames, not a multiple of {self.num_views} '
                'views')
        return [dict(draw, frame_inds=part, clip_len=len(part), num_clips=1)
                for part in np.split(inds, self.num_views)]


def _per_frame(results, p, fn):
    """``fn`` applied to each frame of ``results['imgs']`` with
    probability ``p``, one draw per frame."""
    results['imgs'] = [fn(img) if np.random.rand() < p else img
                       for img in results['imgs']]
    return results


@TRANSFORMS.register_module()
class FrameRandomGray(BaseTransform):
    """Each frame turned grey (3 equal channels) with probability ``p``,
    independently (the MLFO authors' per-frame ``RandomGrayscale``).

    Grey is ITU-R 601 luma, as ``PIL.Image.convert('L')`` and
    torchvision's ``rgb_to_grayscale``. Required / modified key: ``imgs``
    (``H x W x 3`` RGB uint8 frames).

    Args:
        p (float): probability per frame. Defaults to 0.5.
    """

    def __init__(self, p=0.5):
        if not 0 <= p <= 1:
            raise ValueError(f'FrameRandomGray: p must be in [0, 1], got {p}')
        self.p = p

    def transform(self, results):
        return _per_frame(results, self.p, self._grey)

    @staticmethod
    def _grey(img):
        grey = img.astype(np.float32) @ np.float32([.299, .587, .114])
        return np.repeat(np.clip(np.round(grey), 0, 255).astype(
            np.uint8)[..., None], 3, axis=2)

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


@TRANSFORMS.register_module()
class FrameColorJitter(ClipColorJitter):
    """Colour jitter drawn per frame (the MLFO authors' per-frame
    ``ColorJitter(0.5, 0.5, 0.5, 0.25)``), applied with probability ``p``.

    :class:`ClipColorJitter`'s computation (MMAction2's ``ColorJitter``
    adjustments), with one brightness / contrast / saturation / hue draw
    per frame instead of per clip.

    Args:
        p (float): probability per frame. Defaults to 1.
        **kwargs: ``brightness``, ``contrast``, ``saturation``, ``hue``.
    """

    def __init__(self, p=1.0, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= p <= 1:
            raise ValueError(f'FrameColorJitter: p must be in [0, 1], got {p}')
        self.p = p

    def transform(self, results):
        return _per_frame(results, self.p, lambda img: super(
            FrameColorJitter, self).transform(dict(imgs=[img]))['imgs'][0])

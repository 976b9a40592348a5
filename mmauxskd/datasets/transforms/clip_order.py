r"""VCOP's clip sampler: a tuple of clips in a shuffled order (Xu et al. 2019).

Video Clip Order Prediction (VCOP, Xu et al., CVPR 2019) samples ``n``
clips of ``K`` frames each, ``g`` frames apart, from a start frame ``s``;
clip ``c`` (0-based, in temporal order) covers frames

.. math::

    s + c (K + g) + i, \qquad i = 0..K-1,

so a tuple spans ``n K + (n-1) g`` frames (64 for ``n = 3``, ``K = 16``,
``g = 8``). The clips are then shuffled by a permutation ``π`` drawn
uniformly from the ``n!`` permutations of ``0..n-1``: position ``k`` of the
output holds clip ``π[k]``. The label is the index of ``π`` in
``itertools.permutations(range(n))`` (lexicographic order), as in the
authors' ``VCOPDataset`` (``self.orders.index(tuple(order))``). For
``n = 3``::

    label  0        1        2        3        4        5
    π      (0,1,2)  (0,2,1)  (1,0,2)  (1,2,0)  (2,0,1)  (2,1,0)

Worked example (``n = 3``, ``K = 4``, ``g = 2``, ``s = 10``, ``π =
(2, 0, 1)``, label 4)::

    clips in time   A = 10..13   B = 16..19   C = 22..25
    frame_inds      22 23 24 25 | 10 11 12 13 | 16 17 18 19

Policies (see ``docs/pretexts.md``):

* **Short videos**: the permutation is drawn first, independently of the
  video, so labels stay uniform. Then, in this order:

  1. the full span fits: ``s`` uniform over the starts that fit (centred in
     test mode);
  2. it does not, but ``n K`` frames do: the gap shrinks to the largest
     ``g' = (num_frames - n K) // (n - 1) < g`` and the shrunken span is
     placed as in 1 (the clips stay in order and never overlap);
  3. not even that: ``g' = 0``, ``s = 0`` and indices past the end wrap to
     the start (``'loop'``, as ``SampleFrames``), or repeat the last frame
     (``'repeat_last'``).

  The gap used is returned as ``vcop_interval``.
* **Test mode**: deterministic per video: the generator is seeded from
  ``seed`` and the video's file name (or frame folder), and the start is
  centred.

Randomness: as :class:`SegmentPaceSampler`, a ``numpy.random.Generator``
seeded from numpy's global generator (seeded by mmengine per run and per
dataloader worker) unless one is passed.

Cropping: VCOP crops each clip on its own, with no flip or jitter; the VCOP
configs put ``ClipGroupAugment(groups='each', transforms=[RandomCrop])``
after the decoder (``clip_groups.py``), so that the clips' pixel positions
are not aligned.
"""
import itertools
import math

import numpy as np
from mmaction.registry import TRANSFORMS

from .base_sampler import BasePretextSampler

__all__ = ['ClipOrderSampler', 'clip_orders']

def clip_orders(num_clips):
    """All permutations of ``0..n-1``, lexicographic; label = list index."""
    return list(itertools.permutations(range(num_clips)))


@TRANSFORMS.register_module()
class ClipOrderSampler(BasePretextSampler):
    """Sample VCOP's tuple of clips, shuffled; label the permutation.

    A drop-in replacement of MMAction2's ``SampleFrames``: it only chooses
    frame indices (``num_clips`` clips of ``clip_len``, concatenated in the
    shuffled order); ``DecordDecode`` / ``RawFrameDecode`` after it decode
    exactly those, and ``FormatShape('NCTHW')`` gives ``(n, C, K, H, W)``.

    Required keys: ``total_frames``, ``start_index`` (and ``filename`` or
    ``frame_dir`` in test mode).

    Added keys: ``frame_inds`` (``(n K,)`` int, ``start_index`` added),
    ``clip_len`` (K), ``num_clips`` (n), ``frame_interval`` (``None``),
    ``order_label`` (index of π in :func:`clip_orders`), ``vcop_order``
    (π), ``vcop_start`` (s, 0-based) and ``vcop_interval`` (the gap used).

    Args:
        clip_len (int): K, frames per clip. Defaults to 16.
        interval (int): g, frames between consecutive clips (>= 0).
            Defaults to 8.
        num_clips_tuple (int): n, clips per tuple (>= 2; n! classes).
            Defaults to 3.
        out_of_bound_opt (str): ``'loop'`` or ``'repeat_last'``, for videos
            shorter than ``n K``. Defaults to ``'loop'``.
        test_mode (bool): deterministic per-video draw, centred start.
        seed (int): mixed into the test-mode per-video seed. Defaults to 0.
        test_start (str): ``'centre'`` or ``'random'`` (drawn from the
            per-video generator), the start in test mode.
    """

    label_keys = ('order_label', )

    def __init__(self, clip_len=16, interval=8, num_clips_tuple=3,
                 out_of_bound_opt='loop', test_mode=False, seed=0,
                 test_start='centre'):
        super().__init__(clip_len, out_of_bound_opt, test_mode, seed,
                         test_start)
        self.check_int('interval', interval, 0)
        self.check_int('num_clips_tuple', num_clips_tuple, 2)
        if num_clips_tuple > 6:
            raise ValueError(
                f'ClipOrderSampler: num_clips_tuple = {num_clips_tuple} '
                f'gives {math.factorial(num_clips_tuple)} orders; at most 6 '
                'clips (720 classes) are supported')
        self.interval = int(interval)
        self.num_clips_tuple = int(num_clips_tuple)
        self.orders = clip_orders(self.num_clips_tuple)
        self.clips_per_sample = self.num_clips_tuple

    @property
    def num_orders(self):
        """n!, the head's number of classes."""
        return len(self.orders)

    @property
    def min_frames(self):
        """``n K``: the tuple with no gap (shorter videos loop; reported)."""
        return self.num_clips_tuple * self.clip_len

    def span(self, interval=None):
        """Frames a tuple covers: ``n K + (n-1) g``."""
        g = self.interval if interval is None else interval
        n = self.num_clips_tuple
        return n * self.clip_len + (n - 1) * g

    def fit_interval(self, num_frames):
        """The gap used for a video: g, else the largest that fits, else 0."""
        room = num_frames - self.num_clips_tuple * self.clip_len
        if room <= 0:
            return 0
        return min(self.interval, room // (self.num_clips_tuple - 1))

    def sample_indices(self, num_frames, rng=None, label=None, start=None):
        """Indices of one shuffled tuple, without decoding anything.

        Args:
            num_frames (int): frames in the video (> 0).
            rng (numpy.random.Generator, optional): source of the draw.
                Defaults to one seeded from numpy's global generator (from
                ``seed`` in test mode).
            label (int, optional): force the order label (π =
                ``orders[label]``).
            start (int, optional): force s (0-based; used as given, the
                out-of-bound rule applies past the end).

        Returns:
            tuple[np.ndarray, dict]: 0-based frame indices ``(n K,)``
            (int64), clip ``k`` of the output at ``[k K, (k+1) K)``, and
            ``order_label``, ``vcop_order``, ``vcop_start``,
            ``vcop_interval``.
        """
        rng = self._begin(num_frames, rng)
        drawn = int(rng.integers(self.num_orders))
        label = drawn if label is None else int(label)
        if not 0 <= label < self.num_orders:
            raise ValueError(f'ClipOrderSampler: label {label} outside '
                             f'0..{self.num_orders - 1}')
        order = self.orders[label]
        gap = self.fit_interval(num_frames)
        if start is None:
            start = self._start(num_frames - self.span(gap), rng)
        clip_starts = start + np.arange(self.num_clips_tuple) * (
            self.clip_len + gap)
        inds = self._bound((clip_starts[list(order)][:, None] +
                            np.arange(self.clip_len)[None]).reshape(-1),
                           num_frames)
        labels = dict(order_label=label, vcop_order=tuple(order),
                      vcop_start=int(start), vcop_interval=int(gap))
        return inds, labels

    def __repr__(self):
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'interval={self.interval}, '
                f'num_clips_tuple={self.num_clips_tuple}, '
                f'out_of_bound_opt={self.out_of_bound_opt!r}, '
                f'test_mode={self.test_mode})')

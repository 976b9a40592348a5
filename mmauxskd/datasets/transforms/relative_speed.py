r"""RSPNet's clip sampler: clips of one video at two playback speeds.

RSPNet (Chen et al., AAAI 2021, PeihaoChen/RSPNet) reads a window of
``max(speeds) * K`` consecutive frames (32 for K = 16 and speeds 1, 2) and
plays it at speed ``s``: clip position ``i`` holds frame ``w + s i``
(``i = 0..K-1``), i.e. speed 1 is the window's first K frames and speed 2
every other frame of it. Its two pretext tasks need, per video, three clips
(``triplet=True``), concatenated in this order:

* ``anchor``   (the query) at speed ``s_a`` from its window ``w_q``,
* ``positive`` (key k+) at the same speed ``s_a`` from the key window ``w_k``,
* ``negative`` (key k-) at another speed ``s_n != s_a`` from the *same* key
  window ``w_k``,

with ``s_a`` drawn uniformly from ``speeds`` and ``s_n`` uniformly from the
other speeds, and the two window starts ``w_q``, ``w_k`` drawn
independently: as in RSPNet, a sample is two windows of the video (the
query's and the keys'), and k+ and k- are the key window played at two
speeds. Speed perception (M) wants ``sim(anchor, positive) >
sim(anchor, negative)``; appearance (A) treats both keys as the anchor's
positives (same video, any speed). Worked example (K = 4, speeds (1, 2),
s_a = 2, s_n = 1, w_q = 3, w_k = 0)::

    anchor    3  5  7  9    | positive 0 2 4 6 | negative 0 1 2 3

The spatial side is the pipeline's: ``ClipGroupAugment(groups=((0,), (1,
2)))`` after the decoder gives the query its own crop, flip and colour
jitter and the two keys one shared draw (RSPNet's per-window transform).

Each window start is drawn among the ``num_frames - max(speeds) K``
starts at which the *longest* window fits, whatever the clip's speed, so
the position of a clip in the video says nothing about its speed. With
``triplet=False`` the sampler draws one clip at a random speed (RSPNet's
transformation for a single view; auxSKD + RSPNet's two views).

Short videos: the speeds are drawn first; when the longest window does not
fit, the start is 0 and indices past the end follow ``out_of_bound_opt``.
Test mode: per-video deterministic draw, centred starts.

Written to ``results`` for inspection (the model reads none of them:
the triplet's order is its supervision, so ``label_keys`` is empty):
``speed_label`` (``(3,)`` or scalar: index of each clip's speed in
``speeds``), ``rsp_speeds`` and ``rsp_starts`` (per clip; the keys' two
are equal).
"""
import numpy as np
from mmaction.registry import TRANSFORMS

from .base_sampler import BasePretextSampler

__all__ = ['RelativeSpeedSampler']

@TRANSFORMS.register_module()
class RelativeSpeedSampler(BasePretextSampler):
    """Anchor / same-speed positive / other-speed negative clips (RSPNet).

    A drop-in replacement of ``SampleFrames``: writes ``frame_inds``
    (``(3 K,)`` with ``triplet``, else ``(K,)``, ``start_index`` added),
    ``clip_len`` (K), ``num_clips`` (3 or 1), ``frame_interval`` (None) and
    the labels of the module docstring. In a triplet the positive and the
    negative share their window (``rsp_starts[1] == rsp_starts[2]``).

    Args:
        clip_len (int): K. Defaults to 16.
        speeds (Sequence[int]): frame steps to draw from (>= 2 distinct
            with ``triplet``). Defaults to (1, 2).
        triplet (bool): three clips (anchor, positive, negative) or one.
            Defaults to True.
        out_of_bound_opt (str): ``'loop'`` or ``'repeat_last'``.
        test_mode (bool): deterministic per-video draw, centred starts.
        seed (int): mixed into the test-mode per-video seed.
        test_start (str): ``'centre'`` or ``'random'`` (drawn from the
            per-video generator), the start in test mode.
    """

    def __init__(self, clip_len=16, speeds=(1, 2), triplet=True,
                 out_of_bound_opt='loop', test_mode=False, seed=0,
                 test_start='centre'):
        super().__init__(clip_len, out_of_bound_opt, test_mode, seed,
                         test_start)
        speeds = tuple(speeds)
        for s in speeds:
            self.check_int('every element of speeds', s, 1)
        if len(set(speeds)) != len(speeds) or not speeds:
            raise ValueError(f'RelativeSpeedSampler: speeds must be distinct '
                             f'and non-empty, got {speeds}')
        if triplet and len(speeds) < 2:
            raise ValueError('RelativeSpeedSampler: triplet needs >= 2 '
                             f'speeds, got {speeds}')
        self.speeds = tuple(int(s) for s in speeds)
        self.triplet = triplet
        self.clips_per_sample = 3 if triplet else 1

    @property
    def window(self):
        """Frames of the longest window: ``max(speeds) * K``."""
        return max(self.speeds) * self.clip_len

    @property
    def min_frames(self):
        """The window every draw spans (shorter videos loop; reported)."""
        return self.window

    def draw_speeds(self, rng):
        """Speed indices (anchor, positive, negative), or (one, )."""
        a = int(rng.integers(len(self.speeds)))
        if not self.triplet:
            return (a, )
        n = int(rng.integers(len(self.speeds) - 1))
        return (a, a, n + (n >= a))

    def sample_indices(self, num_frames, rng=None, speeds=None, starts=None):
        """Indices of the clips, without decoding anything.

        Args:
            num_frames (int): frames in the video (> 0).
            rng (numpy.random.Generator, optional): source of the draw.
            speeds (Sequence[int], optional): force the speed *indices*.
            starts (Sequence[int], optional): force the window starts:
                ``(w_q, w_k)`` for a triplet (the keys share ``w_k``),
                ``(w, )`` for one clip.

        Returns:
            tuple[np.ndarray, dict]: 0-based indices (clip ``k`` at
            ``[k K, (k+1) K)``) and ``speed_label``, ``rsp_speeds``,
            ``rsp_starts``.
        """
        rng = self._begin(num_frames, rng)
        labels = self.draw_speeds(rng)
        if speeds is not None:
            labels = tuple(int(s) for s in speeds)
        if len(labels) != self.clips_per_sample or not all(
                0 <= s < len(self.speeds) for s in labels):
            raise ValueError(f'RelativeSpeedSampler: bad speeds {labels}')
        windows = 2 if self.triplet else 1
        if starts is None:
            starts = [self._start(num_frames - self.window, rng)
                      for _ in range(windows)]
        if len(starts) != windows:
            raise ValueError(f'RelativeSpeedSampler: {windows} window '
                             f'start(s) expected, got {tuple(starts)}')
        # query window, then the keys' window twice (k+ and k- share it)
        starts = list(starts) + list(starts[1:])
        steps = np.array([self.speeds[s] for s in labels])
        inds = (np.asarray(starts)[:, None] +
                steps[:, None] * np.arange(self.clip_len)[None]).reshape(-1)
        single = not self.triplet
        out = dict(
            speed_label=labels[0] if single else np.array(labels),
            rsp_speeds=int(steps[0]) if single else tuple(steps.tolist()),
            rsp_starts=int(starts[0]) if single else tuple(
                int(s) for s in starts))
        return self._bound(inds, num_frames), out

    def __repr__(self):
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'speeds={self.speeds}, triplet={self.triplet}, '
                f'out_of_bound_opt={self.out_of_bound_opt!r}, '
                f'test_mode={self.test_mode})')

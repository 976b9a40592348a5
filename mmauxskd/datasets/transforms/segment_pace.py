r"""VSPP's clip sampler: one segment of the clip at another pace (paper §3.2).

A clip of ``K`` frames is split into ``Z`` segments of ``L = K / Z`` clip
positions. One segment :math:`\zeta \in \{1..Z\}` is played at pace
:math:`\lambda \in \{1..Q\}`, the rest at the natural pace, from a random
start frame :math:`f_r` (Eq. 4):

.. math::

    I_b = f_r + (\zeta - 1) L + (\lambda - 1), \qquad
    I_e = I_b + \lambda (L - 1).

Read as frame steps: the clip walks through the video one frame at a time,
except that each of the ``L`` steps *into* a frame of segment ζ is λ frames
long. With 0-based clip positions ``i``:

* before the segment (``i < (ζ-1)L``): ``f_r + i``;
* in the segment (``i = (ζ-1)L + j``, ``j = 0..L-1``): ``I_b + λ j``, i.e.
  the first altered frame is λ after the last natural one and the last is
  :math:`I_e`;
* after the segment (``i >= ζL``): the natural pace resumes from
  :math:`I_e`: ``I_e + 1, I_e + 2, ...``, which is ``f_r + i + (λ-1) L``.

So the clip covers a span of ``K + (λ-1) L`` video frames. Worked example
(``K = 16``, ``Z = 4``, ``L = 4``, ``ζ = 2``, ``λ = 3``, ``f_r = 10``)::

    positions  0  1  2  3 |  4  5  6  7 |  8  9 10 11 12 13 14 15
    frames    10 11 12 13 | 16 19 22 25 | 26 27 28 29 30 31 32 33
                            I_b = 10 + 4 + 2 = 16,  I_e = 16 + 3*3 = 25

With ``ζ = 1`` the clip itself starts at ``f_r + λ - 1`` (the first step is
into the altered segment). With ``Z = 1`` every step is λ long: VideoPace's
pace prediction (frames ``f_r + λ - 1 + λ i``).

The auxSKD authors' code differs: it counts fast steps with inclusive
segment bounds, so segments 1..4 get 4/5/5/4 steps of λ (segment 2, λ 3,
offsets 0,1,2,3,6,9,12,15,18,19,...,25); here every segment gets exactly L
(offsets 0,1,2,3,6,9,12,15,16,...,23), as Eq. 4 says.

Policies (see ``docs/vspp.md``):

* **λ = 1**: no segment is altered and the segment cannot be told from the
  clip, so the segment label is ``unaltered_segment_label`` (``-1``), which
  :class:`~mmauxskd.models.heads.VSPPHead` ignores in its segment loss and
  accuracy. The pace label (0) is kept: "no change" is a real class. The
  authors' code keeps ζ - 1 there, i.e. a label that is pure noise.
* **Short videos**: the labels are drawn first, independently of the video,
  so their distribution never depends on video length. The start is then
  drawn uniformly among those whose span fits in the video; when none does
  (``num_frames < K + (λ-1) L``), ``f_r = 0`` and the indices past the end
  follow ``out_of_bound_opt``: ``'loop'`` (wrap to the first frame, like
  ``SampleFrames`` and the authors' code) or ``'repeat_last'``. A video
  shorter than even the slowest draw (:attr:`SegmentPaceSampler.min_frames`,
  K frames when λ = 1 is drawn) has no pace to tell: the sampler raises
  ``ShortVideoError``, which the robust datasets report (``too short: N
  frames, needs M``) and skip like a broken video.
* **Test mode**: the draw is deterministic per video: the generator is
  seeded from ``seed`` and the video's file name (or frame folder), and the
  start is centred in the video.

Randomness: each draw uses a ``numpy.random.Generator``. When none is
passed, one is seeded from numpy's global generator, which mmengine seeds
(``randomness.seed`` in the config, and per dataloader worker), so runs are
reproducible and workers draw differently.
"""

import numpy as np
from mmaction.registry import TRANSFORMS

from .base_sampler import BasePretextSampler

__all__ = ['SegmentPaceSampler', 'vspp_offsets']

def segment_bounds(clip_len, num_segments):
    """Clip positions where the segments start, plus ``clip_len``.

    ``floor(z * K / Z)`` for ``z = 0..Z``: ``L = K / Z`` apart when ``Z``
    divides ``K``; otherwise segment lengths differ by at most one frame.
    """
    return [z * clip_len // num_segments for z in range(num_segments + 1)]


def vspp_offsets(clip_len, num_segments, pace, segment):
    """Frame offsets from ``f_r`` of a VSPP clip (Eq. 4), shape ``(K,)``.

    ``offset_i = i + (λ - 1) * clip(i - b + 1, 0, L_ζ)`` where ``b`` is the
    first clip position of segment ζ and ``L_ζ`` its length: every step into
    a frame of the altered segment is λ long, every other step 1.

    Args:
        clip_len (int): K.
        num_segments (int): Z.
        pace (int): λ >= 1.
        segment (int): ζ, 1-based.
    """
    bounds = segment_bounds(clip_len, num_segments)
    first, length = bounds[segment - 1], bounds[segment] - bounds[segment - 1]
    i = np.arange(clip_len)
    return i + (pace - 1) * np.clip(i - first + 1, 0, length)


@TRANSFORMS.register_module()
class SegmentPaceSampler(BasePretextSampler):
    """Sample a VSPP clip: one segment at pace λ, the rest natural (Eq. 4).

    A drop-in replacement of MMAction2's ``SampleFrames`` (one clip): it only
    chooses frame indices; ``DecordDecode`` / ``RawFrameDecode`` after it
    decode exactly those. See the module docstring for the index formula, a
    worked example and the λ = 1, short-video and test-mode policies.

    Required keys: ``total_frames``, ``start_index`` (and ``filename`` or
    ``frame_dir`` in test mode, to seed the per-video draw).

    Added keys: ``frame_inds`` (``(K,)`` int, ``start_index`` added),
    ``clip_len`` (K), ``num_clips`` (1), ``frame_interval`` (``None``: not
    constant), ``pace_label`` (λ - 1), ``segment_label`` (ζ - 1, or
    ``unaltered_segment_label`` when λ = 1), ``vspp_pace`` (λ),
    ``vspp_segment`` (ζ) and ``vspp_start`` (f_r, 0-based).

    Args:
        clip_len (int): K, frames per clip. Defaults to 16.
        num_segments (int): Z. Must divide ``clip_len`` unless
            ``uneven_segments``. Z = 1 is VideoPace. Defaults to 4.
        num_paces (int): Q; paces are drawn from ``1..Q``. Defaults to 4.
        paces (Sequence[int], optional): the paces to draw from instead,
            e.g. ``(2, 3, 4)`` to always alter a segment. Labels stay
            ``λ - 1``, so a head needs ``max(paces)`` pace classes.
        unaltered_segment_label (int): segment label of λ = 1 clips.
            Defaults to -1 (ignored by the loss).
        out_of_bound_opt (str): ``'loop'`` or ``'repeat_last'``, for videos
            shorter than the span. Defaults to ``'loop'``.
        uneven_segments (bool): allow a ``clip_len`` that ``num_segments``
            does not divide; segment ζ then covers clip positions
            ``floor((ζ-1)K/Z) .. floor(ζK/Z) - 1`` (e.g. 5/5/6 for K = 16,
            Z = 3, as the authors' integer division gives). Defaults to
            False: such a pair is a config error.
        test_mode (bool): deterministic per-video draw, centred start.
        seed (int): mixed into the test-mode per-video seed. Defaults to 0.
        test_start (str): ``'centre'`` or ``'random'`` (drawn from the
            per-video generator), the start in test mode.
    """

    label_keys = ('pace_label', 'segment_label')
    # under K frames even a natural-pace clip repeats frames: no pace or
    # segment can be told, so such videos are skipped (and reported)
    skip_short_videos = True
    short_video_effect = ('every clip loops, so its pace and segment labels '
                          'would be meaningless: skipped')

    def __init__(self, clip_len=16, num_segments=4, num_paces=4, paces=None,
                 unaltered_segment_label=-1, out_of_bound_opt='loop',
                 uneven_segments=False, test_mode=False, seed=0,
                 test_start='centre'):
        super().__init__(clip_len, out_of_bound_opt, test_mode, seed,
                         test_start)
        self.check_int('num_segments (Z)', num_segments, 1)
        self.check_int('num_paces (Q)', num_paces, 1)
        if num_segments > clip_len:
            raise ValueError(
                f'SegmentPaceSampler: num_segments (Z) = {num_segments} is '
                f'larger than clip_len = {clip_len}: segments would be empty')
        if clip_len % num_segments and not uneven_segments:
            raise ValueError(
                f'SegmentPaceSampler: clip_len = {clip_len} is not divisible '
                f'by num_segments (Z) = {num_segments}; Eq. 4 needs K/Z '
                'frames per segment (set uneven_segments=True for segments '
                'of floor(K/Z) or floor(K/Z) + 1 frames)')
        if paces is None:
            paces = tuple(range(1, num_paces + 1))
        else:
            paces = tuple(paces)
            if not paces:
                raise ValueError('SegmentPaceSampler: paces is empty')
            for p in paces:
                self.check_int('every element of paces', p, 1)
            if len(set(paces)) != len(paces):
                raise ValueError(
                    f'SegmentPaceSampler: paces has repeats: {paces}')
        self.num_segments = int(num_segments)
        self.paces = tuple(int(p) for p in paces)
        self.num_paces = max(self.paces)
        self.unaltered_segment_label = unaltered_segment_label
        self.uneven_segments = uneven_segments

    @property
    def min_frames(self):
        """Frames the shortest draw needs: the span of the slowest pace
        (K when λ = 1 can be drawn)."""
        return min(self.span(min(self.paces), z)
                   for z in range(1, self.num_segments + 1))

    def span(self, pace, segment=1):
        """Video frames a clip at pace λ covers: ``K + (λ-1) L_ζ``."""
        bounds = segment_bounds(self.clip_len, self.num_segments)
        return self.clip_len + (pace - 1) * (bounds[segment] -
                                             bounds[segment - 1])

    def draw_labels(self, rng):
        """Draw (λ, ζ) uniformly from ``paces`` x ``1..Z``."""
        pace = self.paces[int(rng.integers(len(self.paces)))]
        segment = int(rng.integers(1, self.num_segments + 1))
        return pace, segment

    def sample_indices(self, num_frames, rng=None, pace=None, segment=None,
                       start=None):
        """Indices of one VSPP clip, without decoding anything.

        Args:
            num_frames (int): frames in the video (> 0).
            rng (numpy.random.Generator, optional): source of the draw.
                Defaults to one seeded from numpy's global generator (from
                ``seed`` in test mode).
            pace (int, optional): force λ (need not be in ``paces``).
            segment (int, optional): force ζ (1-based).
            start (int, optional): force f_r (0-based; used as given, the
                out-of-bound rule applies past the end).

        Returns:
            tuple[np.ndarray, dict]: 0-based frame indices ``(K,)`` (int64),
            and the labels: ``pace_label``, ``segment_label``,
            ``vspp_pace`` (λ), ``vspp_segment`` (ζ), ``vspp_start`` (f_r).
        """
        rng = self._begin(num_frames, rng)
        drawn_pace, drawn_segment = self.draw_labels(rng)
        pace = drawn_pace if pace is None else int(pace)
        segment = drawn_segment if segment is None else int(segment)
        if pace < 1 or not 1 <= segment <= self.num_segments:
            raise ValueError(f'SegmentPaceSampler: pace {pace} / segment '
                             f'{segment} out of range')
        if start is None:
            start = self._start(num_frames - self.span(pace, segment), rng)
        inds = self._bound(
            start + vspp_offsets(self.clip_len, self.num_segments, pace,
                                 segment), num_frames)
        labels = dict(
            pace_label=pace - 1,
            segment_label=(segment - 1 if pace != 1 else
                           self.unaltered_segment_label),
            vspp_pace=pace,
            vspp_segment=segment,
            vspp_start=int(start))
        return inds, labels

    def __repr__(self):
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'num_segments={self.num_segments}, paces={self.paces}, '
                f'unaltered_segment_label={self.unaltered_segment_label}, '
                f'out_of_bound_opt={self.out_of_bound_opt!r}, '
                f'test_mode={self.test_mode})')


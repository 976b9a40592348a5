"""What the pretext samplers share: one draw of frame indices plus labels.

A pretext sampler stands where MMAction2's ``SampleFrames`` stands: it
writes ``frame_inds``, ``clip_len``, ``num_clips`` (and
``frame_interval=None``) so that the stock decoders decode only those
frames, and adds its labels to ``results``. Subclasses implement
:meth:`BasePretextSampler.sample_indices`, which needs no decoding, so that
other components (e.g. the two-view transform of auxSKD) can draw indices
and decode once.
"""
import zlib

import numpy as np
from mmcv.transforms import BaseTransform

from ..robust import ShortVideoError, report_kept_sample

OUT_OF_BOUND_OPTS = ('loop', 'repeat_last')


def video_seed(results):
    """A video's part of a per-video seed: the CRC-32 of its last two path
    parts (``class/video.mp4``, or a raw-frame folder's), so that a seeded
    draw does not change with where the data folder lives; e.g. the same
    for ``/a/data/x/v.mp4`` and ``/b/x/v.mp4``."""
    path = str(results.get('filename', results.get('frame_dir', '')))
    key = '/'.join(path.replace('\\', '/').rstrip('/').split('/')[-2:])
    return zlib.crc32(key.encode())


class BasePretextSampler(BaseTransform):
    """Shared validation, randomness and output of pretext samplers.

    Args:
        clip_len (int): frames per clip (K).
        out_of_bound_opt (str): past the last frame, ``'loop'`` wraps to the
            first frame, ``'repeat_last'`` repeats the last one.
        test_mode (bool): deterministic per-video draw (seeded from ``seed``
            and the file name) with a centred start.
        seed (int): mixed into the test-mode seed.
        test_start (str): where a test-mode clip starts: ``'centre'``, or
            ``'random'``, drawn from the per-video generator (held-out
            pretext evaluation: deterministic, yet as varied as training).
    """

    #: clips per sample written to ``results['num_clips']``
    clips_per_sample = 1
    #: the sampler draws the training targets itself: a dataset whose
    #: pipeline holds it does not need labels in its list
    makes_own_targets = True
    #: a video shorter than :attr:`min_frames` is skipped (its labels would
    #: be meaningless) instead of kept with its clips looping; either way
    #: it is reported (``too short: N frames, needs M``)
    skip_short_videos = False
    #: the keys of ``results`` the pretext's model reads (its targets):
    #: ``mmauxskd.cfg.replace_sampler`` makes ``PackActionInputs`` pack them
    #: (``algorithm_keys``), so no config types them out
    label_keys = ()

    def __init__(self, clip_len, out_of_bound_opt='loop', test_mode=False,
                 seed=0, test_start='centre'):
        self.check_int('clip_len', clip_len, 1)
        if out_of_bound_opt not in OUT_OF_BOUND_OPTS:
            raise ValueError(
                f'{type(self).__name__}: out_of_bound_opt must be one of '
                f'{OUT_OF_BOUND_OPTS}, got {out_of_bound_opt!r}')
        self.clip_len = int(clip_len)
        self.out_of_bound_opt = out_of_bound_opt
        if test_start not in ('centre', 'random'):
            raise ValueError(f"{type(self).__name__}: test_start must be "
                             f"'centre' or 'random', got {test_start!r}")
        self.test_mode = test_mode
        self.seed = seed
        self.test_start = test_start

    @property
    def min_frames(self):
        """Frames a video needs for the sampler's shortest draw to fit
        without ``out_of_bound_opt`` (fewer: every clip repeats frames)."""
        return self.clip_len

    #: what looping does to the labels, for the report of a short video
    short_video_effect = 'its clips loop'

    def check_length(self, results):
        """Report a video shorter than :attr:`min_frames`: raise
        :class:`~mmauxskd.datasets.robust.ShortVideoError` (skipped by the
        robust datasets) when ``skip_short_videos``, else report it as kept
        (:func:`~mmauxskd.datasets.robust.report_kept_sample`)."""
        total = results['total_frames']
        if total >= self.min_frames:
            return
        reason = f'too short: {total} frames, needs {self.min_frames}'
        why = f'{type(self).__name__}: {self.short_video_effect}'
        if self.skip_short_videos:
            raise ShortVideoError(reason, why)
        path = results.get('filename', results.get('frame_dir'))
        report_kept_sample(path, reason, why)

    def check_int(self, name, value, minimum):
        """A build-time error naming ``name`` unless an int >= minimum."""
        if (not isinstance(value, (int, np.integer))
                or isinstance(value, bool) or value < minimum):
            raise ValueError(f'{type(self).__name__}: {name} must be an int '
                             f'>= {minimum}, got {value!r}')

    def _begin(self, num_frames, rng):
        """Validate ``num_frames``; the generator to draw from."""
        if num_frames < 1:
            raise ValueError(f'{type(self).__name__}: a video with '
                             f'{num_frames} frames')
        if rng is None:
            rng = np.random.default_rng(
                self.seed if self.test_mode else np.random.randint(2**31))
        return rng

    def _start(self, free, rng):
        """First frame: uniform over the ``free + 1`` starts that fit,
        centred in test mode (unless ``test_start='random'``), 0 when the
        span does not fit (``free < 0``)."""
        if free < 0:
            return 0
        if self.test_mode and self.test_start == 'centre':
            return free // 2
        return int(rng.integers(free + 1))

    def _bound(self, inds, num_frames):
        """Apply ``out_of_bound_opt`` to indices past the last frame."""
        if self.out_of_bound_opt == 'loop':
            inds = np.mod(inds, num_frames)
        else:
            inds = np.minimum(inds, num_frames - 1)
        return inds.astype(np.int64)

    def sample_indices(self, num_frames, rng=None, **forced):
        """0-based indices ``(clips_per_sample * K,)`` and the labels."""
        raise NotImplementedError

    def _test_rng(self, results):
        """The test-mode generator of one video: seeded from ``seed`` and
        the video (:func:`video_seed`), so a held-out draw does not change
        with where the data folder lives."""
        return np.random.default_rng([self.seed, video_seed(results)])

    def transform(self, results):
        self.check_length(results)
        rng = self._test_rng(results) if self.test_mode else None
        inds, labels = self.sample_indices(results['total_frames'], rng)
        results['frame_inds'] = (inds + results.get('start_index', 0)).astype(
            np.int32)
        results['clip_len'] = self.clip_len
        results['num_clips'] = self.clips_per_sample
        results['frame_interval'] = None
        results.update(labels)
        return results

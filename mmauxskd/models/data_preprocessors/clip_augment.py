"""Clip flip and colour jitter on the training device, batched.

The random augmentation that leaves the decoded pixels as they are (which
frames, which crop) is moved out of the loader workers into the model's
data preprocessor: the workers decode, resize and crop to uint8, and
:class:`ClipAugmentPreprocessor` flips and colour-jitters the whole batch
where it lives (the GPU when training on one), then normalises as
MMAction2's ``ActionDataPreprocessor``. In a worker the colour jitter of
a K-100 VSPP clip took as much CPU as its decoding
(``docs/benchmarks.md#decode-floor-and-worker-scaling``).

The augmentation is stated as the CPU transforms it replaces, so that a
config moves them from its pipeline unchanged (``mmauxskd.cfg.pretext_data``
does, checking that the two agree)::

    data_preprocessor=dict(
        type='ClipAugmentPreprocessor',
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        format_shape='NCTHW',
        augments=[dict(type='Flip', flip_ratio=0.5),
                  dict(type='ClipColorJitter')],
        num_views=1, groups='all')

Semantics, draw by draw, as the transforms in a worker:

* ``Flip(flip_ratio)``: horizontal flip with probability ``flip_ratio``;
* ``ClipColorJitter`` / ``ColorJitter`` (same arguments): factors b, c, s
  and a hue shift h drawn uniformly in the transform's ranges, in that
  order, one draw for all frames of the clip; the four adjustments in the
  order ``fn_idx`` that the transform draws from ``np.random`` when built
  (here: when the preprocessor is built); brightness ``b x``, contrast
  ``c x + (1 - c) mean(grey(x))`` with each frame's own mean, saturation
  ``s x + (1 - s) grey(x)``, hue: clipped to [0, 255] and truncated to
  uint8, OpenCV's uint8 HSV with the hue moved by ``int(255 h)`` modulo 180
  (RGB -> HSV in OpenCV's integers, back to RGB in float32, to uint8 as
  this host's OpenCV does: truncated in its vectorised blocks, rounded in
  the rest of a row, :func:`opencv_hsv_block`), a zero factor's step
  skipped; clipped and truncated to uint8 at the end.
  Output equals ``ClipColorJitter``'s up to float rounding (the bound of
  ``tests/test_color_jitter.py``).

Which clips share a draw: ``inputs`` of a sample are ``num_views`` views
of ``n`` clips each (``(B, num_views * n, C, T, H, W)``, view after view,
as ``MultiViewClips`` concatenates them). Every view draws on its own; the
clips of a view share draws as ``groups`` says: ``'all'`` (one draw for the
view's clips, as a stock transform on the view's frames: VSPP's one clip,
auxSKD's views, each VCOP tuple of auxSKD + VCOP), ``'each'`` or a
partition of ``0..n-1`` as ``ClipGroupAugment``'s (RSPNet's ``((0, ),
(1, 2))``: the query alone, the two keys together).

Random numbers: a ``torch.Generator`` on the CPU (the few numbers of a
batch are drawn there and moved, so that a CPU and a CUDA run draw the
same) seeded for every call from ``(seed, iteration, rank, call of the
iteration)``: ``seed`` is the argument or, by default, the run's torch
seed (``torch.initial_seed()``, which mmengine's ``randomness`` sets and
``--resume`` keeps); the iteration is the Runner's (``MessageHub`` info
``iter``, the count of this preprocessor's training calls without a
Runner). Nothing is carried from one step to the next, so a resumed run
draws what the uninterrupted one drew, with nothing to save.

Validation and test (``training=False``): no augmentation, normalisation
only.
"""
import numpy as np
import torch
from mmaction.datasets.transforms import ColorJitter
from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS, TRANSFORMS
from mmengine.dist import get_rank
from mmengine.logging import MessageHub
from mmengine.model import stack_batch

__all__ = ['ClipAugmentPreprocessor', 'opencv_hsv_block']

_JITTERS = ('ClipColorJitter', 'ColorJitter')
_FLIP_ARGS = {'type', 'flip_ratio', 'direction'}
_JITTER_ARGS = {'type', 'brightness', 'contrast', 'saturation', 'hue'}
# MMAction2's grey weights (R, G, B), read off its own function as
# ClipColorJitter does
_GREY = tuple(ColorJitter.rgb_to_grayscale(np.eye(3)).tolist())
_SHIFT = 12  # OpenCV's fixed-point shift of the uint8 RGB -> HSV
# OpenCV's HSV -> RGB: the (b, g, r) entries of (v, v(1-s), v(1-sf),
# v(1-s(1-f))) per hue sector
_SECTORS = ((1, 3, 0), (1, 0, 2), (3, 0, 1), (0, 2, 1), (0, 1, 3), (2, 1, 0))


def _hsv_tables():
    """OpenCV's uint8 RGB -> HSV division tables (rounded to nearest, half
    to even, as its ``saturate_cast<int>``): ``S = diff * sdiv[V]``, ``H =
    h' * hdiv[diff]`` in fixed point, hue range 180."""
    i = np.arange(1, 256, dtype=np.float64)
    sdiv = np.concatenate([[0], np.rint((255 << _SHIFT) / i)])
    hdiv = np.concatenate([[0], np.rint((180 << _SHIFT) / (6 * i))])
    return (torch.from_numpy(sdiv.astype(np.int32)),
            torch.from_numpy(hdiv.astype(np.int32)))


_BLOCK = []  # OpenCV's vectorised HSV -> RGB block, found on first use


def opencv_hsv_block():
    """Pixels per block of this host's OpenCV vectorised uint8 HSV -> RGB
    (16, 32 or 64 with SSE, AVX2, AVX-512; 0: none). OpenCV converts each
    image row's first ``(W // block) * block`` pixels in blocks and
    truncates them to uint8, and rounds the rest; found once by
    converting a row of 255 pixels whose value truncates and rounds apart.
    """
    if not _BLOCK:
        import cv2
        hsv = np.zeros((1, 255, 3), np.uint8)
        hsv[..., 1:] = 3  # S = V = 3: 3 (1 - 3/255) = 2.96 -> 2 or 3
        cut = int((cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, :, 2] == 2).sum())
        _BLOCK.append(next((b for b in (16, 32, 64, 128)
                            if 255 // b * b == cut), 0))
    return _BLOCK[0]


def _to_uint8_values(x):
    """Clip to [0, 255] and truncate, as ``np.clip(x).astype(uint8)``
    (values stay float)."""
    return x.clamp(0, 255).trunc()


@MODELS.register_module()
class ClipAugmentPreprocessor(ActionDataPreprocessor):
    """``ActionDataPreprocessor`` that flips and colour-jitters uint8 clips
    on their device when training (see the module docstring).

    Args:
        augments (Sequence[dict]): the CPU transforms this replaces, in
            order: ``dict(type='Flip', flip_ratio=..., direction=
            'horizontal')`` and ``dict(type='ClipColorJitter', brightness,
            contrast, saturation, hue)`` (or ``'ColorJitter'``, the same);
            each type at most once. Empty: no augmentation (then this is
            ``ActionDataPreprocessor``).
        num_views (int): views per sample, each drawn on its own.
            Defaults to 1.
        groups (str | Sequence[Sequence[int]]): how the clips of a view
            share draws: ``'all'`` (default), ``'each'`` or a partition of
            the clip indices ``0..n-1``.
        seed (int, optional): the seed of the draws; default the run's
            torch seed.
        **kwargs: ``ActionDataPreprocessor``'s (``mean``, ``std``,
            ``format_shape``, ...).

    Raises:
        ValueError: a bad argument, named (``augments[1].hue``,
            ``groups``, ...), when built; inputs that are not
            ``num_views`` views of the groups' clips, when called.
    """

    def __init__(self, augments=(), num_views=1, groups='all', seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.flip_ratio, self.jitter = None, None
        self._order = []  # 'flip' / 'jitter', the augments' order
        for i, aug in enumerate(augments):
            self._add_augment(i, aug)
        if not isinstance(num_views, int) or isinstance(
                num_views, bool) or num_views < 1:
            raise ValueError('ClipAugmentPreprocessor: num_views must be a '
                             f'positive int, got {num_views!r}')
        self.num_views = num_views
        self.groups = self._check_groups(groups)
        if seed is not None and (not isinstance(seed, int) or seed < 0):
            raise ValueError('ClipAugmentPreprocessor: seed must be None or '
                             f'an int >= 0, got {seed!r}')
        self.seed = seed
        sdiv, hdiv = _hsv_tables()
        self.register_buffer('_sdiv', sdiv, persistent=False)
        self.register_buffer('_hdiv', hdiv, persistent=False)
        self._iter, self._calls_in_iter, self._calls = None, 0, 0

    # ------------------------------------------------------------ build --

    def _add_augment(self, i, aug):
        where = f'ClipAugmentPreprocessor: augments[{i}]'
        if not isinstance(aug, dict) or 'type' not in aug:
            raise ValueError(f'{where} must be a dict with a type, got '
                             f'{aug!r}')
        kind = aug['type']
        if kind == 'Flip':
            unknown = set(aug) - _FLIP_ARGS
            if unknown:
                raise ValueError(f'{where}.{sorted(unknown)[0]}: not '
                                 'supported on the device (Flip takes '
                                 'flip_ratio and direction)')
            if aug.get('direction', 'horizontal') != 'horizontal':
                raise ValueError(f'{where}.direction must be '
                                 f"'horizontal', got {aug['direction']!r}")
            ratio = aug.get('flip_ratio', 0.5)
            if isinstance(ratio, bool) or not isinstance(
                    ratio, (int, float)) or not 0 <= ratio <= 1:
                raise ValueError(f'{where}.flip_ratio must be in [0, 1], '
                                 f'got {ratio!r}')
            if self.flip_ratio is not None:
                raise ValueError(f'{where}: a second Flip')
            self.flip_ratio = float(ratio)
            self._order.append('flip')
        elif kind in _JITTERS:
            unknown = set(aug) - _JITTER_ARGS
            if unknown:
                raise ValueError(f'{where}.{sorted(unknown)[0]}: not a '
                                 f'{kind} argument')
            if self.jitter is not None:
                raise ValueError(f'{where}: a second colour jitter')
            check = TRANSFORMS.get(kind).check_input
            for key, top, base in (('brightness', 1, 1), ('contrast', 1, 1),
                                   ('saturation', 1, 1), ('hue', 0.5, 0)):
                try:  # the transform's own range check, key by key
                    if key in aug:
                        check(aug[key], top, base)
                except (AssertionError, TypeError, ValueError) as e:
                    raise ValueError(f'{where}.{key}={aug[key]!r} is not a '
                                     f'valid {kind} range') from e
            # built as the worker's transform is: its ranges, and its
            # adjustment order drawn from np.random once
            self.jitter = TRANSFORMS.build(dict(aug))
            self._order.append('jitter')
        else:
            raise ValueError(f'{where}.type={kind!r}: the device does Flip, '
                             f'{" and ".join(_JITTERS)}')

    def _check_groups(self, groups):
        if groups in ('all', 'each'):
            return groups
        try:
            groups = tuple(tuple(int(c) for c in g) for g in groups)
        except (TypeError, ValueError):
            groups = None
        flat = sorted(c for g in groups or () for c in g)
        if not groups or not all(groups) or flat != list(range(len(flat))):
            raise ValueError(
                "ClipAugmentPreprocessor: groups must be 'all', 'each' or a "
                'partition of the clips 0..n-1 of a view into non-empty '
                f'groups, got {groups!r}')
        return groups

    @property
    def augmenting(self):
        """Whether training batches are augmented."""
        return bool(self._order)

    # ------------------------------------------------------------- call --

    def preprocess(self, inputs, data_samples, training=False):
        if not (training and self.augmenting):
            return super().preprocess(inputs, data_samples, training)
        batch = self.augment(stack_batch(inputs), self._generator())
        # then ActionDataPreprocessor's steps (it stacks a list)
        return super().preprocess(list(batch), data_samples, training)

    def _generator(self):
        """This call's generator: seeded from (seed, iteration, rank, call
        of the iteration)."""
        it = MessageHub.get_current_instance().get_info('iter')
        if it is None:
            it = self._calls
        self._calls += 1
        if it != self._iter:
            self._iter, self._calls_in_iter = it, 0
        seed = self.seed if self.seed is not None else torch.initial_seed()
        state = np.random.SeedSequence(
            [int(seed), int(it), get_rank(), self._calls_in_iter]
        ).generate_state(2, np.uint32)
        self._calls_in_iter += 1
        return torch.Generator().manual_seed(
            int(state[0]) << 32 | int(state[1]))

    def clip_draws(self, num_clips):
        """Per clip of a sample (``num_views * n`` of them), the index of
        its draw among the sample's draws, and the number of draws."""
        if num_clips % self.num_views:
            raise ValueError(
                f'ClipAugmentPreprocessor: {num_clips} clips per sample are '
                f'not num_views={self.num_views} views of equal size')
        n = num_clips // self.num_views
        if self.groups == 'all':
            groups = (tuple(range(n)), )
        elif self.groups == 'each':
            groups = tuple((c, ) for c in range(n))
        else:
            groups = self.groups
            if sum(map(len, groups)) != n:
                raise ValueError(
                    f'ClipAugmentPreprocessor: groups {groups} do not cover '
                    f'the {n} clips of a view')
        of_clip = [0] * n
        for g, group in enumerate(groups):
            for c in group:
                of_clip[c] = g
        index = [v * len(groups) + of_clip[c]
                 for v in range(self.num_views) for c in range(n)]
        return torch.tensor(index), self.num_views * len(groups)

    def draw(self, num_draws, generator):
        """The random numbers of ``num_draws`` draws, in the augments'
        order, each augment's for all draws at once: ``flip`` (bool,
        ``(num_draws, )``) and ``jitter`` (float64 ``(num_draws, 4)``:
        b, c, s, h), those of absent augments None."""
        out = dict(flip=None, jitter=None)
        for kind in self._order:
            if kind == 'flip':
                out['flip'] = torch.rand(
                    num_draws, generator=generator,
                    dtype=torch.float64) < self.flip_ratio
            else:
                j = self.jitter
                lo = torch.tensor([j.brightness[0], j.contrast[0],
                                   j.saturation[0], j.hue[0]],
                                  dtype=torch.float64)
                hi = torch.tensor([j.brightness[1], j.contrast[1],
                                   j.saturation[1], j.hue[1]],
                                  dtype=torch.float64)
                u = torch.rand(num_draws, 4, generator=generator,
                               dtype=torch.float64)
                out['jitter'] = lo + (hi - lo) * u
        return out

    def augment(self, batch, generator):
        """Flip and jitter a batch ``(B, [clips,] C, T, H, W)`` (uint8 or
        float holding 0..255) on its device; float32 0..255 out."""
        if batch.dim() not in (5, 6) or batch.shape[-4] != 3:
            raise ValueError('ClipAugmentPreprocessor augments RGB clips '
                             '(B, [clips,] 3, T, H, W), got '
                             f'{tuple(batch.shape)}')
        shape = batch.shape
        clips = batch.reshape(-1, *shape[-4:]).to(torch.float32)
        per_sample = 1 if batch.dim() == 5 else shape[1]
        index, num_draws = self.clip_draws(per_sample)
        draws = self.draw(shape[0] * num_draws, generator)
        # the draw of each clip of the batch
        index = (torch.arange(shape[0])[:, None] * num_draws +
                 index[None]).reshape(-1)
        for kind in self._order:
            if kind == 'flip':  # the drawn clips only
                flip = draws['flip'][index].nonzero()[:, 0].to(clips.device)
                clips = clips.index_copy(0, flip, clips[flip].flip(-1))
            else:
                clips = self._jitter(clips, draws['jitter'][index])
        return clips.reshape(shape)

    # ---------------------------------------------------------- jitter --

    def _jitter(self, x, factors):
        """``x`` (M, 3, T, H, W) float32, ``factors`` (M, 4) float64 on the
        CPU: the colour jitter of each clip."""
        dev = x.device
        f32 = factors.to(torch.float32).to(dev).reshape(-1, 4, 1, 1, 1)
        grey = torch.tensor(_GREY, dtype=torch.float32, device=dev)
        for fn in self.jitter.fn_idx:
            if fn == 0:  # brightness (b = 1 leaves x as it is)
                x = x * f32[:, 0:1]
            elif fn == 1:  # contrast, towards each frame's mean grey
                c = f32[:, 1:2]
                mean = torch.einsum('c,mcthw->mt', grey, x) / (
                    x.shape[-1] * x.shape[-2])
                x = c * x + (1 - c) * mean[:, None, :, None, None]
            elif fn == 2:  # saturation, towards each pixel's grey
                s = f32[:, 2:3]
                x = s * x + (1 - s) * torch.einsum('c,mcthw->mthw', grey,
                                                   x)[:, None]
            else:  # hue: the uint8 HSV shift, skipped where h == 0
                h = factors[:, 3]
                shift = (h * 255).trunc().to(torch.int32).to(dev)
                shifted = self._hue_shift(_to_uint8_values(x), shift)
                if (h == 0).any():  # those clips skip the step
                    keep = (h == 0).to(dev)[:, None, None, None, None]
                    shifted = torch.where(keep, x, shifted)
                x = shifted
        return _to_uint8_values(x)

    def _hue_shift(self, x, shift):
        """OpenCV's uint8 RGB -> HSV, hue + ``shift`` mod 180, HSV -> RGB,
        for clips ``x`` (M, 3, T, H, W) of uint8 values; float32 out."""
        sdiv, hdiv = self._sdiv.to(x.device), self._hdiv.to(x.device)
        rgb = x.to(torch.int32)
        r, g, b = rgb.unbind(1)
        v = torch.maximum(torch.maximum(r, g), b)
        diff = v - torch.minimum(torch.minimum(r, g), b)
        half = 1 << (_SHIFT - 1)
        s = (diff * sdiv[v.long()] + half) >> _SHIFT
        hue = torch.where(v == r, g - b,
                          torch.where(v == g, b - r + 2 * diff,
                                      r - g + 4 * diff))
        hue = (hue * hdiv[diff.long()] + half) >> _SHIFT
        hue = torch.where(hue < 0, hue + 180, hue)
        hue = torch.remainder(hue + shift[:, None, None, None], 180)
        # back to RGB in float32, as OpenCV's uint8 HSV -> RGB
        hf = hue.to(torch.float32) * torch.tensor(6 / 180, dtype=torch.float32)
        sf = s.to(torch.float32) * torch.tensor(1 / 255, dtype=torch.float32)
        vf = v.to(torch.float32) * torch.tensor(1 / 255, dtype=torch.float32)
        sector = hf.floor()
        frac = hf - sector
        tab = torch.stack([vf, vf * (1 - sf), vf * (1 - sf * frac),
                           vf * (1 - sf * (1 - frac))], -1)
        which = torch.tensor(_SECTORS, device=x.device)[
            sector.to(torch.long).clamp_(0, 5)]  # (..., 3): b, g, r
        bgr = torch.gather(tab, -1, which)
        out = torch.stack([bgr[..., 2], bgr[..., 1], bgr[..., 0]], 1) * 255
        # to uint8 as OpenCV: a row's first pixels by its vectorised loop,
        # truncated, the rest by its scalar loop, rounded
        block = opencv_hsv_block()
        cut = out.shape[-1] // block * block if block else 0
        out[..., :cut].trunc_()
        out[..., cut:].round_()
        return out.clamp_(0, 255)

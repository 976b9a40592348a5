"""Augment the clips of one sample in groups, one random draw per group.

A multi-clip pretext sampler (VCOP's tuple, RSPNet's triplet) writes the
frames of ``num_clips`` clips of ``clip_len`` frames one after the other
into ``imgs``; the stock ``RandomCrop`` / ``Flip`` / ``ColorJitter`` would
then draw *one* crop, flip and jitter for all of them. The original methods
draw per clip or per window:

* VCOP (xudejing/video-clip-order-prediction) crops each clip of the tuple
  on its own (no flip, no jitter): ``groups='each'``, so that the clips'
  pixel positions are not aligned (a low-level cue to their order);
* RSPNet (PeihaoChen/RSPNet) transforms each of its two windows on its own:
  the query (clip 0) and the keys k+ and k- (clips 1, 2, played from one
  window): ``groups=((0,), (1, 2))``, so that InfoNCE cannot match the
  query to its keys by a shared crop or colour.

:class:`ClipGroupAugment` runs its ``transforms`` once per group, on that
group's frames, and puts the frames back in clip order::

    dict(type='Resize', scale=(-1, 128)),
    dict(type='ClipGroupAugment', groups=((0, ), (1, 2)),
         transforms=[dict(type='RandomCrop', size=112),
                     dict(type='Flip', flip_ratio=0.5),
                     dict(type='ClipColorJitter')]),
    dict(type='FormatShape', input_format='NCTHW'),
"""
import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmaction.registry import TRANSFORMS

__all__ = ['ClipGroupAugment']


@TRANSFORMS.register_module()
class ClipGroupAugment(BaseTransform):
    """Run ``transforms`` on groups of a sample's clips independently.

    Required keys: ``imgs`` (a list of ``num_clips * clip_len`` frames, clip
    ``c`` at ``[c K, (c+1) K)``, i.e. after the decoder and before
    ``FormatShape``), ``clip_len``, ``num_clips``.

    Modified keys: ``imgs`` (same order, each group's frames transformed by
    its own pass). Added keys: those the ``transforms`` write (``img_shape``,
    ``crop_bbox``, ``flip``, ...), from the first group's pass, and
    ``clip_group_infos``: per group, the values of those keys.

    A frame object that stands more than once in ``imgs`` (repeated frame
    indices: looped short videos, RSPNet's overlapping speeds) is copied for
    every use after the first, because some transforms (``Flip``) work in
    place.

    Args:
        transforms (list[dict]): the per-group augmentation (random crop,
            flip, colour jitter); every group must come out the same size.
        groups (str | Sequence[Sequence[int]]): ``'each'`` (one group per
            clip) or a partition of the clip indices ``0..num_clips-1``,
            e.g. ``((0, ), (1, 2))``.
    """

    def __init__(self, transforms, groups='each'):
        if groups != 'each':
            groups = tuple(tuple(int(c) for c in g) for g in groups)
            flat = sorted(c for g in groups for c in g)
            if not groups or not all(groups) or flat != list(
                    range(len(flat))):
                raise ValueError(
                    "ClipGroupAugment: groups must be 'each' or a partition "
                    f'of the clips 0..n-1 into non-empty groups, got {groups}')
        self.groups = groups
        self.transforms = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms])

    def clip_groups(self, num_clips):
        """The groups for a sample of ``num_clips`` clips."""
        if self.groups == 'each':
            return tuple((c, ) for c in range(num_clips))
        if sum(map(len, self.groups)) != num_clips:
            raise ValueError(f'ClipGroupAugment: groups {self.groups} do not '
                             f'cover the sample\'s {num_clips} clips')
        return self.groups

    def transform(self, results):
        imgs, k = results['imgs'], int(results['clip_len'])
        n = int(results['num_clips'])
        if len(imgs) != n * k:
            raise ValueError(f'ClipGroupAugment: {len(imgs)} frames are not '
                             f'{n} clips of {k}')
        seen, frames = set(), []
        for img in imgs:
            frames.append(img.copy() if id(img) in seen else img)
            seen.add(id(img))
        clips = [frames[c * k:(c + 1) * k] for c in range(n)]
        out_clips, infos = [None] * n, []
        for group in self.clip_groups(n):
            state = self.transforms(dict(
                results, imgs=[f for c in group for f in clips[c]]))
            for j, c in enumerate(group):
                out_clips[c] = state['imgs'][j * k:(j + 1) * k]
            infos.append({key: v for key, v in state.items()
                          if key != 'imgs' and (key not in results
                                                or v is not results[key])})
        shapes = {np.shape(f) for clip in out_clips for f in clip}
        if len(shapes) > 1:
            raise ValueError('ClipGroupAugment: groups of different frame '
                             f'shapes {sorted(shapes)}')
        results.update(infos[0])
        results['imgs'] = [f for clip in out_clips for f in clip]
        results['clip_group_infos'] = infos
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(groups={self.groups}, '
                f'transforms={self.transforms})')

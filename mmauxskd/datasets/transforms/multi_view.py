"""Several clips (views) of one video, sampled and augmented independently,
decoded once.

Two-view methods feed two clips of the same video, each drawn by a sampler
and augmented on its own: auxSKD's student and teacher (paper §3.1,
Algorithm 1 step 4), Vi²CLR's two temporal crops; one view is the
clustering pass's deterministic clip. :class:`MultiViewClips` replaces the
``sampler -> decode -> augment`` part of a single-clip pipeline, e.g.
auxSKD's::

    dict(type='DecordInit'),                    # opens the video once
    dict(type='MultiViewClips',
         sampler=dict(type='SegmentPaceSampler', ...),
         transforms=[dict(type='Resize', scale=(-1, 128)),
                     dict(type='RandomCrop', size=112),
                     dict(type='Flip', flip_ratio=0.5),
                     dict(type='ColorJitter'),
                     dict(type='FormatShape', input_format='NCTHW')]),
    dict(type='PackActionInputs')

and for raw frames the same without ``DecordInit``. Output: ``imgs`` of
shape ``(2 * N, C, T, H, W)`` (view 0's N clips, then view 1's; N = 1 for
the VSPP sampler), which ``PackActionInputs`` turns into ``inputs`` and the
data preprocessor batches to ``(B, 2N, C, T, H, W)``; ``AuxSKD`` splits it.
:func:`mmauxskd.cfg.multi_view_pipeline` derives such a
pipeline from a single-clip one.
"""
import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmaction.registry import TRANSFORMS

# keys a decoder writes (besides ``imgs``)
_DECODED = ('original_shape', 'img_shape')


def draw_indices(sampler, results):
    """One draw of a sampler transform, ``results`` left untouched.

    The sampling step shared by the multi-view transforms
    (:class:`MultiViewClips` draws once per view, ``ViewsOfOneDraw`` once
    and splits the draw). MMAction2's sampler contract: a sampler
    transform sets ``frame_inds`` (and ``clip_len``, ``num_clips``, its
    labels, ...) without decoding anything, so it is run on a shallow copy.

    Args:
        sampler (BaseTransform): a built sampler transform.
        results (dict): the pipeline's state before decoding.

    Returns:
        dict: the keys the sampler set or replaced, ``frame_inds``
        flattened to ``(n,)``.

    Raises:
        KeyError: the sampler set no ``frame_inds``.
    """
    view = sampler.transform(dict(results))
    out = {k: v for k, v in view.items()
           if k not in results or v is not results[k]}
    if 'frame_inds' not in out:
        raise KeyError(f'{type(sampler).__name__} did not set frame_inds')
    out['frame_inds'] = np.asarray(out['frame_inds']).reshape(-1)
    return out


@TRANSFORMS.register_module()
class MultiViewClips(BaseTransform):
    """Sample, decode and augment ``num_views`` clips of one video.

    Each view is drawn by its own call of ``sampler`` (independent starts,
    speeds, segments, ...). The frames of all views are decoded in a single
    pass over the sorted union of their indices (one decord ``get_batch`` or
    one read per JPEG), then split back into the views. Each view then runs
    through ``transforms`` on its own, so its random crop, flip and colour
    jitter are drawn independently. A frame used more than once (by both
    views, or twice in one view) is copied for every use after the first,
    because some transforms (``Flip``) work in place.

    Required keys: those of ``sampler`` and of the decoder (``video_reader``
    from ``DecordInit``, or ``frame_dir``/``filename_tmpl``/``modality``
    for raw frames).

    Added keys: ``imgs`` (views concatenated on the first axis, or one
    frame list after the other without ``FormatShape``), the
    ``transforms``' own keys (from view 0), ``num_views``, ``frame_inds``
    (``(num_views, n)``), and ``view_infos``: per view, the keys the sampler
    set (e.g. VSPP's labels), for ``PackActionInputs(meta_keys=...)``.

    Args:
        sampler (dict): a registered sampler transform (e.g. VSPP's
            ``SegmentPaceSampler`` for auxSKD, ``SampleFrames`` for
            Vi²CLR).
        transforms (list[dict]): per-view augmentation, ending with
            ``FormatShape``.
        decoder (dict | str): the decode transform, or ``'auto'``:
            ``DecordDecode`` when ``results`` holds a decord reader, the
            reader's own (``PyAVSeekDecode``, ``TorchCodecDecode``) for the
            readers of ``video_readers.py``, ``RawFrameDecode`` when it
            holds a ``frame_dir``.
        num_views (int): views per video (1 for a single deterministic
            clip, 2 for two-view methods, ...). Defaults to 2.
        differ_keys (Sequence[str]): redraw a later view (up to
            ``max_redraws`` times) until it differs from every earlier one
            in each of these sampler keys; e.g. ``('vspp_pace',
            'vspp_segment')``, as the auxSKD authors' code forced. If no
            draw succeeds the last one is kept. Defaults to () (independent
            draws, as the paper describes).
        max_redraws (int): see ``differ_keys``. Defaults to 10.
    """

    #: the views are the targets of a self-supervised method (auxSKD's
    #: student and teacher, Vi2CLR's pseudo-labelled pairs): a dataset with
    #: this transform does not need labels in its list
    makes_own_targets = True

    def __init__(self, sampler, transforms=(), decoder='auto', num_views=2,
                 differ_keys=(), max_redraws=10):
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        self.sampler = TRANSFORMS.build(sampler)
        self.transforms = Compose([  # mmaction's registry, any scope
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms])
        self.decoder = decoder if decoder == 'auto' else TRANSFORMS.build(
            decoder)
        if self.decoder != 'auto' and not hasattr(self.decoder, 'transform'):
            raise TypeError(f'decoder must be a transform, got {decoder!r}')
        self.num_views = num_views
        self.differ_keys = tuple(differ_keys)
        self.max_redraws = max_redraws
        self._auto = {}

    def _get_decoder(self, results):
        if self.decoder != 'auto':
            return self.decoder
        reader = results.get('video_reader')
        if reader is not None:
            # our readers (video_readers.py) name their decode transform
            kind = getattr(reader, 'decode_transform', None)
            if kind is None:
                if not type(reader).__module__.startswith('decord'):
                    raise TypeError(
                        f'decoder="auto" handles decord readers and those of '
                        f'video_readers.py, not {type(reader).__name__}: set '
                        'MultiViewClips.decoder')
                kind = 'DecordDecode'
        elif 'frame_dir' in results:
            kind = 'RawFrameDecode'
        else:
            raise KeyError('MultiViewClips needs a video_reader (DecordInit '
                           'before it) or a frame_dir (raw frames)')
        if kind not in self._auto:
            self._auto[kind] = TRANSFORMS.build(dict(type=kind))
        return self._auto[kind]

    def _differs(self, view, earlier):
        return all(not np.array_equal(view.get(k), e.get(k))
                   for k in self.differ_keys for e in earlier)

    def _sample_views(self, results):
        views = []
        for _ in range(self.num_views):
            view = draw_indices(self.sampler, results)
            for _ in range(self.max_redraws if self.differ_keys else 0):
                if self._differs(view, views):
                    break
                view = draw_indices(self.sampler, results)
            views.append(view)
        return views

    def transform(self, results):
        views = self._sample_views(results)
        union, where = np.unique(
            np.concatenate([v['frame_inds'] for v in views]),
            return_inverse=True)
        decoded = self._get_decoder(results).transform(
            dict(results, frame_inds=union))
        frames = decoded['imgs']
        if 'video_reader' in results:  # the reader is done with
            results['video_reader'] = None

        # split first (the copies must be taken before any transform runs)
        used = np.zeros(len(union), bool)
        view_imgs, start = [], 0
        for view in views:
            imgs = []
            for p in where[start:start + len(view['frame_inds'])]:
                imgs.append(frames[p].copy() if used[p] else frames[p])
                used[p] = True
            start += len(imgs)
            view_imgs.append(imgs)
        outputs = []
        for view, imgs in zip(views, view_imgs):
            state = dict(results, **view, imgs=imgs)
            state.update({k: decoded[k] for k in _DECODED if k in decoded})
            outputs.append(self.transforms(state))

        results.update(outputs[0])
        imgs = [o['imgs'] for o in outputs]
        if all(isinstance(i, np.ndarray) for i in imgs):  # after FormatShape
            if len({i.shape for i in imgs}) > 1:
                raise ValueError('views of different shapes: ' +
                                 str([i.shape for i in imgs]))
            results['imgs'] = np.concatenate(imgs)
        else:  # frame lists, views one after the other
            results['imgs'] = [frame for view in imgs for frame in view]
        results['frame_inds'] = np.stack([v['frame_inds'] for v in views])
        results['num_views'] = self.num_views
        results['view_infos'] = views
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(sampler={self.sampler}, '
                f'num_views={self.num_views}, '
                f'transforms={self.transforms}, '
                f'differ_keys={self.differ_keys})')

"""Video decoders in config pipelines: switch backend, or read frames.

The video init / decode transform pairs MMAction2 and mmauxskd register,
and helpers that swap them in a pipeline or a whole config::

    from mmauxskd.cfg import set_decoder
    train_pipeline = set_decoder(_base_.train_pipeline, 'pyav')
    # [DecordInit, ..., DecordDecode, ...] -> [PyAVSeekInit, ...,
    #                                          PyAVSeekDecode, ...]
    train_pipeline = cache_frames(train_pipeline)
    # -> [CachedVideoInit(backend='pyav'), ..., CachedVideoDecode, ...]
"""
import copy

from .walk import loader_datasets

__all__ = ['AUTO_DECODERS', 'DECODER_BACKENDS', 'VIDEO_INITS',
           'VIDEO_DECODERS', 'to_rawframes', 'set_decoder',
           'set_config_decoder', 'cache_frames', 'decoder_spec']

#: the init transforms of video decoders (none for raw frames)
VIDEO_INITS = ('DecordInit', 'OpenCVInit', 'PyAVInit', 'PyAVSeekInit',
               'TorchCodecInit', 'CachedVideoInit')
#: the decode transforms that go with :data:`VIDEO_INITS`
VIDEO_DECODERS = ('DecordDecode', 'OpenCVDecode', 'PyAVDecode',
                  'PyAVSeekDecode', 'TorchCodecDecode', 'CachedVideoDecode')
#: decoders that MultiViewClips(decoder='auto') picks from the reader
AUTO_DECODERS = ('DecordDecode', 'RawFrameDecode', 'PyAVSeekDecode',
                 'TorchCodecDecode', 'CachedVideoDecode')
#: ``set_decoder`` backends: (init transform, decode transform)
DECODER_BACKENDS = dict(
    decord=('DecordInit', 'DecordDecode'),
    pyav=('PyAVSeekInit', 'PyAVSeekDecode'),
    torchcodec=('TorchCodecInit', 'TorchCodecDecode'))


def to_rawframes(pipeline):
    """The same pipeline reading JPEG frame folders instead of videos (a
    copy): video init transforms dropped, video decoders replaced by
    ``RawFrameDecode``::

        >>> to_rawframes([dict(type='DecordInit'),
        ...               dict(type='SampleFrames', clip_len=16),
        ...               dict(type='DecordDecode')])
        [{'type': 'SampleFrames', 'clip_len': 16}, {'type': 'RawFrameDecode'}]
    """
    out = []
    for t in copy.deepcopy(list(pipeline)):
        if t['type'] in VIDEO_INITS:
            continue
        if t['type'] in VIDEO_DECODERS:
            t = dict(type='RawFrameDecode')
        elif isinstance(t.get('transforms'), list):  # a wrapper's decoder
            t['transforms'] = to_rawframes(t['transforms'])
        out.append(t)
    return out


def set_decoder(pipeline, backend, cache=False, **init_args):
    """Copy of a video ``pipeline`` decoding with another backend.

    Every video init/decode pair (``DecordInit`` / ``DecordDecode``, ...,
    also a ``MultiViewClips``' ``decoder``) becomes the ``backend``'s:
    ``'pyav'`` (``PyAVSeekInit`` / ``PyAVSeekDecode``: frame-accurate, PyAV's
    bundled FFmpeg; the configs' decoder), ``'decord'`` (MMAction2's default;
    optional here: ``pip install -e .[decord]``, without which this raises
    that in one line) or ``'torchcodec'``. ``init_args`` go to the init
    transform,
    e.g. ``device='cuda'`` (NVDEC; falls back to the CPU with a warning
    where it cannot be used, unless ``fallback=False``)::

        from mmauxskd.cfg import set_decoder
        train_pipeline = set_decoder(_base_.train_pipeline, 'pyav')

    ``cache=True`` decodes each video whole, once per process, with that
    backend on the CPU and keeps its frames in memory
    (``CachedVideoInit`` / ``CachedVideoDecode``, the same pixels; for
    datasets of small videos read many times, as the demo's);
    ``init_args`` may then set ``max_mb`` and ``num_threads``. Without it
    a cached pipeline decodes per sample again: ``--decoder X`` on a demo
    config, and the decoder benchmarks, measure decoder X.

    Raises:
        ValueError: an unknown ``backend``, or no video init transform.
        ImportError: ``'decord'`` where decord is not installed.
    """
    if backend not in DECODER_BACKENDS:
        raise ValueError(f'set_decoder: backend must be one of '
                         f'{sorted(DECODER_BACKENDS)}, got {backend!r}')
    init, decode = DECODER_BACKENDS[backend]
    if backend == 'decord':
        # imported here: the package imports no other subpackage at import
        from ..datasets.transforms.video_readers import import_decord
        import_decord("set_decoder(..., 'decord') (--decoder decord)")
    if cache:
        init, decode = 'CachedVideoInit', 'CachedVideoDecode'
        unknown = sorted(set(init_args) - {'max_mb', 'num_threads'})
        if unknown:
            raise ValueError(f'set_decoder(cache=True): {unknown} do not '
                             'apply to the frame cache (max_mb, num_threads '
                             'do)')
        init_args = dict(backend=backend, **init_args)
    elif init_args and backend == 'decord':
        init_args = {k: v for k, v in init_args.items()
                     if k in ('num_threads', 'io_backend')}
    found = []

    def swap(transforms):  # wrappers' decoders too (SeededViews)
        out = []
        for t in transforms:
            if t['type'] in VIDEO_INITS:
                t = dict(type=init, **init_args)
                found.append(t)
            elif t['type'] in VIDEO_DECODERS:
                t = dict(type=decode)
            elif t['type'] == 'MultiViewClips' and isinstance(
                    t.get('decoder'), dict) and t['decoder'].get(
                        'type') in VIDEO_DECODERS:
                t['decoder'] = dict(type=decode)
            if isinstance(t.get('transforms'), list):
                t['transforms'] = swap(t['transforms'])
            out.append(t)
        return out

    out = swap(copy.deepcopy(list(pipeline)))
    if not found:
        raise ValueError('set_decoder: no video init transform in '
                         f'{[t["type"] for t in out]}')
    return out


def cache_frames(pipeline, **init_args):
    """Copy of a video ``pipeline`` whose videos are decoded once per
    process, with the backend it decodes with, and kept in memory
    (``set_decoder(pipeline, <its backend>, cache=True)``; ``init_args``:
    ``max_mb``, ``num_threads``). The demo's pipelines use it::

        train_pipeline = cache_frames(update_pipeline(...))

    Raises:
        ValueError: the pipeline opens its videos with no decoder of
            :data:`DECODER_BACKENDS` (nor is it cached already).
    """
    types = [t['type'] for t in pipeline]
    backends = [name for name, (init, _) in DECODER_BACKENDS.items()
                if init in types]
    if not backends:
        cached = [t for t in pipeline if t['type'] == 'CachedVideoInit']
        if not cached:
            raise ValueError(f'cache_frames: no video init transform of '
                             f'{sorted(DECODER_BACKENDS)} in {types}')
        backends = [cached[0].get('backend', 'pyav')]  # its default
    return set_decoder(pipeline, backends[0], cache=True, **init_args)


def decoder_spec(spec):
    """A decoder named on a command line, ``BACKEND[:KEY=VALUE,...]``, as
    :func:`set_decoder`'s arguments::

        >>> decoder_spec('pyav:index=packets,num_threads=2')
        ('pyav', {'index': 'packets', 'num_threads': 2})

    Raises:
        ValueError: an unknown backend or an item without ``=``.
    """
    backend, _, rest = spec.partition(':')
    if backend not in DECODER_BACKENDS:
        raise ValueError(f'decoder {spec!r}: the backend must be one of '
                         f'{sorted(DECODER_BACKENDS)}')
    init_args = {}
    for item in filter(None, rest.split(',')):
        key, eq, value = item.partition('=')
        if not eq or not key:
            raise ValueError(f'decoder {spec!r}: expected KEY=VALUE, got '
                             f'{item!r}')
        init_args[key] = int(value) if value.lstrip('-').isdigit() else value
    return backend, init_args


def set_config_decoder(cfg, backend, **init_args):
    """Apply :func:`set_decoder` to the pipeline of every dataloader of
    ``cfg`` (in place, inside dataset wrappers too) that decodes videos;
    raw-frame pipelines are left alone. Returns the names of the changed
    loaders, e.g. ``['train_dataloader', 'val_dataloader']``.
    ``tools/train.py --decoder pyav`` calls it."""
    changed = []
    for split, dataset in loader_datasets(cfg):
        pipeline = dataset['pipeline']
        if any(t['type'] in VIDEO_INITS for t in pipeline):
            dataset['pipeline'] = set_decoder(pipeline, backend, **init_args)
            if f'{split}_dataloader' not in changed:
                changed.append(f'{split}_dataloader')
    return changed

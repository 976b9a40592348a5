"""Decoded frames kept in memory: each video is decoded once per process.

A training run over a few small videos (the demo: 96 videos of ~50 frames
at 64x64, 1200 steps) decodes every video hundreds of times, and on a CPU
that decoding cost as much as the network's step (docs/benchmarks.md).
:class:`CachedVideoInit` decodes all the frames of a video once, with the
backend it names (``'pyav'``, ``'decord'`` or ``'torchcodec'``), keeps
them in a per-process cache bounded by ``max_mb``, and hands a reader over
them to :class:`CachedVideoDecode`, which returns the requested frames as
copies (transforms may work in place). The pixels are the backend's own:
the cache stores what the backend's reader decodes, so a pipeline reads the
same frames with or without it (tested on the demo videos); once the cache
is full, further videos are decoded per sample as before. A video the
reader cannot decode to its end fails whole (the robust datasets skip and
report it), where a clip of its first frames alone might have decoded.

The cache lives in the process that runs the pipeline: a dataloader worker
(``persistent_workers=True`` keeps it across epochs) or, with
``num_workers=0``, the main process. A video is known by its path, size and
modification time, so a rewritten file is decoded again. Pipelines::

    dict(type='CachedVideoInit', backend='pyav'), <sampler>,
    dict(type='CachedVideoDecode')

or ``mmauxskd.cfg.cache_frames(pipeline)`` (the pipeline's own backend).
"""
import os
from collections import OrderedDict

import numpy as np
from mmcv.transforms import BaseTransform
from mmaction.registry import TRANSFORMS

from .video_readers import (_check_range, _ReaderDecode, _source,
                            open_reader)

__all__ = ['CachedReader', 'CachedVideoInit', 'CachedVideoDecode',
           'clear_frame_cache', 'frame_cache_info']

#: backends whose frames the cache can hold
CACHE_BACKENDS = ('decord', 'pyav', 'torchcodec')

# (path, size, mtime_ns, backend) -> (frames (T, H, W, 3) uint8, fps); one
# cache per process, least recently used first
_cache = OrderedDict()
_cache_bytes = [0]


def clear_frame_cache():
    """Empty this process's cache."""
    _cache.clear()
    _cache_bytes[0] = 0


def frame_cache_info():
    """``(videos, bytes)`` held by this process's cache."""
    return len(_cache), _cache_bytes[0]


class CachedReader:
    """All the frames of one video, decoded: the reader interface of
    ``video_readers.py`` (``len``, ``get_avg_fps``, ``get_frames``)."""

    #: the decode transform :class:`MultiViewClips` uses for this reader
    decode_transform = 'CachedVideoDecode'

    def __init__(self, frames, fps, path='<frames>'):
        self.frames, self.fps, self.path = frames, fps, path

    def __len__(self):
        return len(self.frames)

    def get_avg_fps(self):
        return self.fps

    def get_frames(self, indices):
        inds = np.asarray(indices, dtype=np.int64).reshape(-1)
        if len(inds):
            _check_range(np.array([inds.min(), inds.max()]), len(self),
                         self.path)
        return list(self.frames[inds])  # a copy, one array per index


def _decode_all(filename, backend, num_threads):
    """(frames, fps) of a whole video with ``backend``'s reader, in one
    pass where the reader has one (``iter_frames``)."""
    reader = open_reader(filename, backend, num_threads=num_threads)
    try:
        if hasattr(reader, 'iter_frames'):
            frames = list(reader.iter_frames())
        else:
            frames = reader.get_frames(range(len(reader)))
        return np.stack(frames), reader.get_avg_fps()
    finally:
        if hasattr(reader, 'close'):
            reader.close()


@TRANSFORMS.register_module()
class CachedVideoInit(BaseTransform):
    """Open a video from this process's frame cache, decoding it whole with
    ``backend`` on a miss.

    Required keys: ``filename``. Added keys: ``video_reader`` (a
    :class:`CachedReader`), ``total_frames``, ``avg_fps``.

    Args:
        backend (str): ``'pyav'`` (default), ``'decord'`` or
            ``'torchcodec'`` (on the CPU).
        max_mb (float): the most this process's cache holds, in MiB;
            videos beyond it are decoded for each sample and not kept.
            Defaults to 512.
        num_threads (int): decoder threads. Defaults to 1.
    """

    def __init__(self, backend='pyav', max_mb=512, num_threads=1):
        if backend not in CACHE_BACKENDS:
            raise ValueError(f'CachedVideoInit: backend must be one of '
                             f'{CACHE_BACKENDS}, got {backend!r}')
        if max_mb < 0:
            raise ValueError(f'CachedVideoInit: max_mb must be >= 0, got '
                             f'{max_mb!r}')
        self.backend, self.max_mb = backend, max_mb
        self.num_threads = num_threads

    def _frames(self, filename):
        stat = os.stat(filename)
        key = (filename, stat.st_size, stat.st_mtime_ns, self.backend)
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        frames, fps = _decode_all(filename, self.backend, self.num_threads)
        frames.setflags(write=False)  # shared by every later sample
        limit = self.max_mb * 2**20
        if frames.nbytes <= limit:
            while _cache and _cache_bytes[0] + frames.nbytes > limit:
                _, (old, _) = _cache.popitem(last=False)
                _cache_bytes[0] -= old.nbytes
            _cache[key] = frames, fps
            _cache_bytes[0] += frames.nbytes
        return frames, fps

    def transform(self, results):
        filename = _source(results['filename'])
        frames, fps = self._frames(filename)
        results['video_reader'] = CachedReader(frames, fps, filename)
        results['total_frames'] = len(frames)
        results['avg_fps'] = fps
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(backend={self.backend!r}, '
                f'max_mb={self.max_mb}, num_threads={self.num_threads})')


@TRANSFORMS.register_module()
class CachedVideoDecode(_ReaderDecode):
    """The ``frame_inds`` of :class:`CachedVideoInit`'s reader, as copies.

    Required keys: ``video_reader``, ``frame_inds``. Added keys: ``imgs``,
    ``original_shape``, ``img_shape``.
    """

"""Frame-accurate video readers beside decord: PyAV (CPU, or NVDEC through
FFmpeg's CUDA hwaccel) and torchcodec (CPU or CUDA), as MMAction2-style
``*Init`` / ``*Decode`` transforms.

Why (docs/benchmarks.md#decoders has the measurements): decord 0.6.0 has had
no release since 2021, and MMAction2's own ``PyAVDecode`` either decodes
every frame from the start of the file up to the last index (``'accurate'``)
or returns the nearest keyframes (``'efficient'``). :class:`PyAVReader`
indexes the file once (an MP4's own sample table where it is the packets',
else its packets, demuxed without decoding), then for a sorted set of
indices seeks to the keyframe before each index that the decoder has not
yet passed, and decodes forward only as far as it needs: the exact frames,
at the cost of decoding from the keyframe, as decord does, and converted to
RGB by the same FFmpeg code with the same settings, so that its pixels are
decord's (tested).

Every reader here has the same small interface, so one decode transform
serves all and :class:`~mmauxskd.datasets.transforms.MultiViewClips` can
decode the union of its views in one call:

* ``len(reader)``: frames; ``reader.get_avg_fps()``;
* ``reader.get_frames(indices)``: a list of ``(H, W, 3)`` uint8 RGB arrays,
  one per index, in the given order (repeats allowed).

Pipelines (any of them replaces ``DecordInit`` / ``DecordDecode``; the
helper :func:`mmauxskd.cfg.set_decoder` swaps them in a
config, ``tools/train.py --decoder pyav`` on the command line)::

    dict(type='PyAVSeekInit'), <sampler>, dict(type='PyAVSeekDecode')
    dict(type='PyAVSeekInit', device='cuda')       # NVDEC, frames to CPU
    dict(type='TorchCodecInit', device='cuda'), <sampler>,
    dict(type='TorchCodecDecode')

The GPU readers fall back to the CPU :class:`PyAVReader` with one warning
naming what is missing (``fallback=True``, the default), or raise a
:class:`DecoderUnavailableError` that says so (``fallback=False``).

decord is optional (``pip install -e .[decord]``): nothing here imports it
until a decord reader is opened, and a pipeline or a tool that asks for it
where it is not installed fails when it is built, with one line saying how
to install it (:func:`import_decord`, :func:`check_decord`).
:class:`DecordReader` puts it behind the same interface, for the tools.
"""
import io
import os.path as osp
import warnings

import numpy as np
from mmcv.transforms import BaseTransform
from mmaction.registry import TRANSFORMS

__all__ = ['PyAVReader', 'TorchCodecReader', 'DecordReader', 'PyAVSeekInit',
           'PyAVSeekDecode', 'TorchCodecInit', 'TorchCodecDecode',
           'DecoderUnavailableError', 'torchcodec_problem', 'open_reader',
           'READER_BACKENDS', 'DECORD_INSTALL', 'DECORD_TRANSFORMS',
           'import_decord', 'check_decord', 'decode_threads',
           'set_decode_threads']

#: how to install the optional decord decoder
DECORD_INSTALL = 'pip install -e .[decord]'
#: transforms that open videos with decord (MMAction2's)
DECORD_TRANSFORMS = ('DecordInit', )
#: :func:`open_reader` backends
READER_BACKENDS = ('pyav', 'torchcodec', 'decord')


class DecoderUnavailableError(RuntimeError):
    """A requested decoder or device cannot be used on this machine."""


def import_decord(what='decord'):
    """The ``decord`` module, or an ``ImportError`` whose one line names
    ``what`` needs it and how to install it (decord is optional)."""
    try:
        import decord
    except ImportError:
        raise ImportError(
            f'{what} needs decord, which is not installed: {DECORD_INSTALL} '
            "(or decode with PyAV, the default: --decoder pyav, "
            "set_decoder(pipeline, 'pyav'))") from None
    return decord


def _transform_type(t):
    kind = t.get('type') if isinstance(t, dict) else type(t)
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return name.rpartition('.')[2]  # 'mmaction.DecordInit' -> 'DecordInit'


def check_decord(pipeline, where='pipeline'):
    """Raise :func:`import_decord`'s one-line ``ImportError`` when
    ``pipeline`` (transform dicts or objects, nested ``transforms`` lists
    too) names a decord transform (:data:`DECORD_TRANSFORMS`) and decord
    is not installed; return quietly otherwise. Datasets call it when they
    are built, so a decord config fails there, not in a worker."""
    todo, found = list(pipeline or ()), []
    while todo:
        t = todo.pop(0)
        if _transform_type(t) in DECORD_TRANSFORMS:
            found.append(_transform_type(t))
        nested = t.get('transforms') if isinstance(t, dict) else None
        if isinstance(nested, (list, tuple)):
            todo.extend(nested)
    if found:
        import_decord(f'{where} ({found[0]})')


_warned = set()
_unavailable = {}  # (backend, device) -> why, in this process


_decode_threads = 1  # FFmpeg threads of a reader not told otherwise


def set_decode_threads(threads):
    """FFmpeg decoding threads of the readers opened from now on in this
    process whose ``num_threads`` is ``None`` (the transforms' default):
    1 here, and in every dataloader worker that
    :func:`mmauxskd.datasets.worker_init.worker_threads_init` starts; 0
    lets FFmpeg choose (all cores). decord's reader here follows it too."""
    global _decode_threads
    if not isinstance(threads, int) or isinstance(threads, bool) \
            or threads < 0:
        raise ValueError(f'decode threads must be an int >= 0, got '
                         f'{threads!r}')
    _decode_threads = threads


def decode_threads(num_threads=None):
    """``num_threads``, or this process's setting where it is ``None``."""
    return _decode_threads if num_threads is None else num_threads


def _warn_once(message):
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _unique_sorted(indices):
    """(sorted unique int indices, position of each input index in them)."""
    inds = np.asarray(indices, dtype=np.int64).reshape(-1)
    return np.unique(inds, return_inverse=True)


def _check_range(inds, total, path):
    if len(inds) and (inds[0] < 0 or inds[-1] >= total):
        raise IndexError(f'{path}: frame indices {inds[0]}..{inds[-1]} out '
                         f'of range for {total} frames')


class PyAVReader:
    """Frame-accurate random access to a video with PyAV (bundled FFmpeg).

    On opening, the reader needs each frame's timestamp and keyframe flag:
    frame ``i`` is the ``i``-th packet in presentation order. An MP4/MOV
    file already holds them in its sample tables, which FFmpeg reads on
    opening (``stream.index_entries``); they are taken from there when they
    are provably the packets' (no frame reordering, one entry per frame,
    increasing, the stream starting at the first entry's time;
    ``index_source == 'container'``): what ``tools/data/resize_videos.py``
    writes, and most files without B-frames. Otherwise, and if a decoded
    frame's timestamp is then not in the table, every packet of the stream
    is read (demuxed, not decoded; ``index_source == 'packets'``), which
    costs most of the opening time on a small file. :meth:`get_frames`
    decodes a sorted set of indices in one forward pass, seeking to a
    keyframe only where one lies between the last decoded frame and the
    next index (or when an index is behind the decoder).

    Args:
        path (str | file-like): the video.
        num_threads (int | None): FFmpeg decoding threads; ``None`` (the
            default): this process's :func:`set_decode_threads`, 1 unless
            changed, which suits dataloader workers, already running in
            parallel. 0 lets FFmpeg choose.
        hwaccel (str | None): ``'cuda'``: decode on the GPU (NVDEC) through
            FFmpeg's hwaccel, frames copied back to CPU memory. Raises
            :class:`DecoderUnavailableError` if FFmpeg cannot create the
            device.
        index (str): ``'auto'`` (default): the container's table where it
            is the packets', else the packets; ``'packets'``: always read
            every packet (as before the container's table was used).
    """

    #: the decode transform :class:`MultiViewClips` uses for this reader
    decode_transform = 'PyAVSeekDecode'

    def __init__(self, path, num_threads=None, hwaccel=None, index='auto'):
        import av
        if index not in ('auto', 'packets'):
            raise ValueError(f"index must be 'auto' or 'packets', got "
                             f'{index!r}')
        self.index = index
        num_threads = decode_threads(num_threads)
        self.path = path if isinstance(path, str) else getattr(
            path, 'name', '<stream>')
        kwargs = {}
        if hwaccel == 'cuda':
            problem = _cuda_problem()
            if problem:  # say so before FFmpeg tries (and says it worse)
                raise DecoderUnavailableError(
                    f'PyAV cannot decode on {hwaccel!r}: {problem}')
        if hwaccel:
            try:
                from av.codec.hwaccel import HWAccel
                kwargs['hwaccel'] = HWAccel(device_type=hwaccel,
                                            allow_software_fallback=False)
            except Exception as err:  # old PyAV, unknown device type
                raise DecoderUnavailableError(
                    f'PyAV {av.__version__} cannot decode on {hwaccel!r}: '
                    f'{type(err).__name__}: {err}') from err
        try:
            self.container = av.open(path, **kwargs)
        except Exception as err:
            if not hwaccel:
                raise
            # FFmpeg's own words are obscure ("Operation not permitted")
            raise DecoderUnavailableError(
                f'FFmpeg (PyAV {av.__version__}) could not create a '
                f'{hwaccel!r} decoding device for {self.path} '
                f'({type(err).__name__}: {err}); NVDEC needs an NVIDIA GPU '
                'and its driver (libcuda, libnvcuvid)') from err
        if not self.container.streams.video:
            raise ValueError(f'{self.path}: no video stream')
        self.stream = self.container.streams.video[0]
        if num_threads != 1:
            self.stream.thread_type = 'AUTO'
        self.stream.thread_count = num_threads  # FFmpeg's default: all cores
        from av.video.reformatter import VideoReformatter
        self._rgb = VideoReformatter()
        self._index()
        if hwaccel:  # fail here, not in a worker's first batch
            try:
                self.get_frames([0])
            except Exception as err:
                raise DecoderUnavailableError(
                    f'FFmpeg could not decode {self.path} with hwaccel '
                    f'{hwaccel!r} ({type(err).__name__}: {err}); NVDEC needs '
                    'an NVIDIA GPU and its driver (libcuda, libnvcuvid)'
                ) from err

    def _index(self):
        if self.index == 'packets' or not self._index_from_container():
            self._index_from_packets()

    def _index_from_container(self):
        """Timestamps and keyframes from the container's own index, where
        they must equal the packets'; False where that is not certain."""
        stream = self.stream
        if not ('mp4' in self.container.format.name.split(',')
                and hasattr(stream, 'index_entries')  # PyAV >= 15
                and stream.codec_context is not None
                and stream.codec_context.has_b_frames == 0):
            return False  # reordered frames: entries hold decoding times
        entries = stream.index_entries[:]
        if not entries or (stream.frames and len(entries) != stream.frames):
            return False
        pts = np.fromiter((e.timestamp for e in entries), np.int64,
                          len(entries))
        flags = np.fromiter((e.flags for e in entries), np.int64,
                            len(entries))
        # FFmpeg's AVINDEX_KEYFRAME 1, AVINDEX_DISCARD_FRAME 2
        if (np.diff(pts) <= 0).any() or (flags & 2).any():
            return False
        if stream.start_time != pts[0]:  # e.g. presentation times offset
            return False
        self._set_index(pts, np.flatnonzero(flags & 1), 'container')
        return True

    def _index_from_packets(self):
        if getattr(self, 'index_source', None):  # again: from the start
            self.container.seek(int(self.pts[0]), stream=self.stream,
                                backward=True, any_frame=True)
            self._frames = None
        pts, keys = [], []
        for packet in self.container.demux(self.stream):
            if packet.size == 0:  # the flushing packet at the end
                continue
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None:
                raise ValueError(f'{self.path}: packets without timestamps')
            pts.append(stamp)
            keys.append(packet.is_keyframe)
        if not pts:
            raise ValueError(f'{self.path}: no video frames')
        order = np.argsort(pts, kind='stable')
        self._set_index(np.asarray(pts, dtype=np.int64)[order],
                        np.flatnonzero(np.asarray(keys)[order]), 'packets')

    def _set_index(self, pts, keyframes, source):
        self.pts = pts
        self.keyframes = keyframes
        if not len(self.keyframes) or self.keyframes[0] != 0:
            self.keyframes = np.concatenate([[0], self.keyframes])
        self._frame_of = {int(p): i for i, p in enumerate(self.pts)}
        self._frames = None  # the decoder's frame iterator
        self._pos = -1  # index of the last frame it returned
        self.index_source = source

    def __len__(self):
        return len(self.pts)

    def get_avg_fps(self):
        rate = self.stream.average_rate or self.stream.guessed_rate
        return float(rate) if rate else 30.0

    def _key_before(self, index):
        return int(self.keyframes[np.searchsorted(
            self.keyframes, index, side='right') - 1])

    def _seek(self, keyframe):
        self.container.seek(int(self.pts[keyframe]), stream=self.stream,
                            backward=True, any_frame=False)
        self._frames = self.container.decode(self.stream)
        self._pos = -1

    @property
    def declared_frames(self):
        """The frame count the container's index declares, where it can be
        trusted to count the file's frames (MP4/MOV sample tables), else
        ``None``. More than ``len(self)`` (the packets read) means a
        truncated file: the data of the missing frames is not there."""
        if 'mp4' not in self.container.format.name:
            return None  # e.g. AVI headers may count empty (drop) frames
        return int(self.stream.frames) or None

    def iter_frames(self):
        """Every frame in order, RGB ``(H, W, 3)`` uint8, in one pass
        (frame extraction, transcoding). Raises ``ValueError`` after the
        last decodable frame when fewer than ``len(self)`` (or the
        :attr:`declared_frames`) were decoded."""
        self._seek(0)
        frames, self._frames = self._frames, None  # get_frames seeks anew
        count = 0
        for frame in frames:
            yield to_rgb(frame, self._rgb)
            count += 1
        expected = max(len(self), self.declared_frames or 0)
        if count < expected:
            raise ValueError(f'{self.path}: {count} of {expected} frames '
                             'could be decoded (truncated or corrupt)')

    def get_frames(self, indices):
        """RGB ``(H, W, 3)`` uint8 frames at ``indices`` (any order)."""
        inds, where = _unique_sorted(indices)
        _check_range(inds, len(self), self.path)
        decoded = []
        for target in inds:
            key = self._key_before(target)
            if self._frames is None or target <= self._pos or key > self._pos:
                self._seek(key)
            frame = None
            for frame in self._frames:
                stamp = frame.pts if frame.pts is not None else frame.dts
                pos = self._frame_of.get(stamp)
                if pos is None and self.index_source == 'container':
                    # the container's table is not the packets' after all
                    self._index_from_packets()
                    return self.get_frames(indices)
                self._pos = self._pos + 1 if pos is None else pos
                if self._pos >= target:
                    break
            if frame is None or self._pos < target:
                raise ValueError(f'{self.path}: frame {target} of '
                                 f'{len(self)} could not be decoded')
            decoded.append(to_rgb(frame, self._rgb))
        return [decoded[i] for i in where]

    def close(self):
        self.container.close()


def to_rgb(frame, reformatter=None):
    """A decoded PyAV frame as an ``(H, W, 3)`` uint8 RGB array.

    FFmpeg's swscale with its default settings, as decord converts: the
    same pixels as decord's for the same frame. Pass a
    ``av.video.reformatter.VideoReformatter`` that lives as long as the
    reader: it keeps swscale's context between frames, which makes the
    conversion 2-8 times faster than ``frame.to_ndarray(format='rgb24')``
    (measured: as fast as OpenCV's, which differs from decord by ~1 grey
    level).
    """
    if reformatter is None:
        return frame.to_ndarray(format='rgb24')
    return reformatter.reformat(frame, format='rgb24').to_ndarray()


def _cuda_problem():
    """Why no CUDA device can be used (as torch sees it), or ``None``;
    ``None`` too without torch, leaving the question to FFmpeg."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return (f'CUDA is not available to torch {torch.__version__} '
                '(a CPU build, or no GPU/driver)')
    return None


def torchcodec_problem(device='cpu'):
    """Why torchcodec cannot decode on ``device`` here, or ``None``."""
    try:
        import torch  # noqa: F401  (torchcodec needs it)
    except ImportError:
        return 'torch is not installed'
    if str(device).startswith('cuda') and _cuda_problem():
        return _cuda_problem()
    try:
        from torchcodec.decoders import VideoDecoder  # noqa: F401
    except ImportError as err:
        return f'torchcodec is not installed ({err})'
    except Exception as err:  # OSError/RuntimeError from its libraries
        first = str(err).strip().splitlines()
        return ('torchcodec is installed but cannot load its libraries '
                f'({type(err).__name__}: {first[0] if first else ""}); it '
                'needs FFmpeg 4-8 shared libraries on the system and a torch '
                'build matching the one it was compiled for (the PyPI wheel '
                'is compiled against a CUDA torch)')
    return None


class TorchCodecReader:
    """torchcodec's ``VideoDecoder`` (exact seek mode) behind the reader
    interface; ``device='cuda'`` decodes with NVDEC, the frames copied to
    CPU memory for the CPU transforms that follow.

    Raises :class:`DecoderUnavailableError` naming the missing piece.
    """

    decode_transform = 'TorchCodecDecode'

    def __init__(self, path, device='cpu', num_threads=None):
        num_threads = decode_threads(num_threads)
        problem = torchcodec_problem(device)
        if problem:
            raise DecoderUnavailableError(
                f'torchcodec cannot decode on {device!r}: {problem}')
        from torchcodec.decoders import VideoDecoder
        self.path = path
        kwargs = dict(device=device, seek_mode='exact')
        if device == 'cpu':
            kwargs['num_ffmpeg_threads'] = num_threads
        try:
            self.decoder = VideoDecoder(path, **kwargs)
        except RuntimeError as err:
            if 'CUDA' in str(err) or 'cuda' in str(err):
                raise DecoderUnavailableError(
                    f'torchcodec cannot open {path} on {device!r}: {err} '
                    '(CUDA in a forked dataloader worker needs '
                    "multiprocessing_context='spawn')") from err
            raise
        self._len = self.decoder.metadata.num_frames

    def __len__(self):
        return self._len

    def get_avg_fps(self):
        return float(self.decoder.metadata.average_fps or 30.0)

    def get_frames(self, indices):
        inds, where = _unique_sorted(indices)
        _check_range(inds, len(self), self.path)
        batch = self.decoder.get_frames_at(inds.tolist()).data  # N,C,H,W
        frames = batch.permute(0, 2, 3, 1).cpu().numpy()
        return [frames[i] for i in where]


class DecordReader:
    """decord 0.6.0's ``VideoReader`` behind the reader interface, for the
    tools that offer ``--decoder decord`` (optional: ``pip install -e
    .[decord]``; without it, :func:`import_decord`'s one-line error).
    Pipelines use MMAction2's ``DecordInit`` / ``DecordDecode`` instead."""

    decode_transform = 'DecordDecode'

    def __init__(self, path, num_threads=None):
        decord = import_decord('DecordReader')
        self.path = path
        self.reader = decord.VideoReader(
            path, num_threads=decode_threads(num_threads))

    def __len__(self):
        return len(self.reader)

    def get_avg_fps(self):
        return float(self.reader.get_avg_fps())

    def get_frames(self, indices):
        inds, where = _unique_sorted(indices)
        _check_range(inds, len(self), self.path)
        batch = self.reader.get_batch(inds.tolist()).asnumpy()
        return [batch[i] for i in where]

    def iter_frames(self, chunk=32):
        """Every frame in order, decoded ``chunk`` at a time (one by one
        where a chunk fails, up to the first frame that cannot be read,
        which raises)."""
        total = len(self)
        for start in range(0, total, chunk):
            inds = list(range(start, min(start + chunk, total)))
            try:
                batch = self.reader.get_batch(inds).asnumpy()
            except Exception:  # decord raises its own types
                batch = None
            if batch is None:
                for i in inds:
                    yield self.reader[i].asnumpy()
            else:
                yield from batch

    def close(self):
        self.reader = None


def _source(filename):
    """MMAction2's habit: a name without an extension means ``.mp4``."""
    if isinstance(filename, str) and osp.splitext(filename)[0] == filename:
        return filename + '.mp4'
    return filename


def open_reader(filename, backend='pyav', device='cpu', num_threads=None,
                fallback=True, index='auto'):
    """A reader of ``filename``: ``backend`` ``'pyav'`` (the default),
    ``'torchcodec'`` or ``'decord'`` (optional, CPU only), on ``device``
    (``'cpu'`` or ``'cuda'``); ``index``: a PyAV reader's
    (:class:`PyAVReader`).

    With ``fallback``, a GPU or torchcodec reader that cannot be had here
    becomes a CPU :class:`PyAVReader` after one warning that says why.
    decord is never replaced: without it, :func:`import_decord`'s error.
    """
    if backend not in READER_BACKENDS:
        raise ValueError(f'backend must be one of {READER_BACKENDS}, got '
                         f'{backend!r}')
    filename = _source(filename)
    if backend == 'decord':
        if device != 'cpu':
            raise ValueError(f'the decord reader decodes on the CPU only, '
                             f'not {device!r}')
        return DecordReader(filename, num_threads)
    failed = _unavailable.get((backend, device))
    if failed and fallback:  # known missing: no retry per file
        return PyAVReader(filename, num_threads, index=index)
    try:
        if backend == 'torchcodec':
            return TorchCodecReader(filename, device, num_threads)
        return PyAVReader(filename, num_threads,
                          hwaccel='cuda' if device.startswith('cuda') else
                          None, index=index)
    except DecoderUnavailableError as err:
        if not fallback or (backend == 'pyav' and device == 'cpu'):
            raise
        if 'could not' in str(err) or 'cannot decode on' in str(err):
            _unavailable[(backend, device)] = str(err)  # not the file's fault
        _warn_once(f'{err}; decoding on the CPU with PyAV instead '
                   '(set fallback=False to make this an error)')
        return PyAVReader(filename, num_threads, index=index)


class _ReaderInit(BaseTransform):
    """Open ``results['filename']`` with a reader of this module."""

    backend = 'pyav'

    def __init__(self, device='cpu', num_threads=None, fallback=True,
                 io_backend='disk', index='auto', **kwargs):
        if not (device == 'cpu' or str(device).startswith('cuda')):
            raise ValueError(f"device must be 'cpu' or 'cuda', got "
                             f'{device!r}')
        self.device = device
        self.num_threads = num_threads
        self.fallback = fallback
        if index not in ('auto', 'packets'):
            raise ValueError(f"index must be 'auto' or 'packets', got "
                             f'{index!r}')
        self.index = index
        self.io_backend = io_backend
        self.kwargs = kwargs
        self.file_client = None

    def _open(self, filename):
        filename = _source(filename)
        if self.io_backend != 'disk':  # e.g. petrel: bytes through mmengine
            from mmengine.fileio import FileClient
            if self.file_client is None:
                self.file_client = FileClient(self.io_backend, **self.kwargs)
            filename = io.BytesIO(self.file_client.get(filename))
        return open_reader(filename, self.backend, self.device,
                           self.num_threads, self.fallback, self.index)

    def transform(self, results):
        reader = self._open(results['filename'])
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = reader.get_avg_fps()
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(device={self.device!r}, '
                f'num_threads={self.num_threads}, fallback={self.fallback}, '
                f'index={self.index!r})')


class _ReaderDecode(BaseTransform):
    """Decode ``frame_inds`` with the reader a ``*Init`` of this module put in
    ``results['video_reader']`` (one pass over the sorted indices)."""

    def transform(self, results):
        reader = results['video_reader']
        inds = np.asarray(results['frame_inds']).reshape(-1)
        results['frame_inds'] = inds
        imgs = reader.get_frames(inds)
        results['video_reader'] = None
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results


@TRANSFORMS.register_module()
class PyAVSeekInit(_ReaderInit):
    """Open a video with :class:`PyAVReader` (frame-accurate seeking).

    Required keys: ``filename``. Added keys: ``video_reader``,
    ``total_frames``, ``avg_fps``.

    Args:
        device (str): ``'cpu'`` (default) or ``'cuda'``: NVDEC through
            FFmpeg's CUDA hwaccel (frames come back to CPU memory).
        num_threads (int | None): FFmpeg threads per video; ``None`` (the
            default): the process's setting (:func:`set_decode_threads`),
            1 unless changed, and 1 in the workers that
            ``worker_threads_init`` starts.
        fallback (bool): where ``'cuda'`` cannot be used, warn once and
            decode on the CPU (True, default) or raise
            :class:`DecoderUnavailableError` (False).
        io_backend (str): mmengine file backend. Defaults to ``'disk'``.
        index (str): ``'auto'`` (default): an MP4's own sample table where
            it is provably the packets', else every packet is read;
            ``'packets'``: always every packet (:class:`PyAVReader`).
    """


@TRANSFORMS.register_module()
class PyAVSeekDecode(_ReaderDecode):
    """Decode ``frame_inds`` from :class:`PyAVSeekInit`'s reader.

    Required keys: ``video_reader``, ``frame_inds``. Added keys: ``imgs``
    (RGB), ``original_shape``, ``img_shape``.
    """


@TRANSFORMS.register_module()
class TorchCodecInit(_ReaderInit):
    """Open a video with torchcodec (``device='cpu'`` or ``'cuda'``).

    Arguments as :class:`PyAVSeekInit`; where torchcodec or the device is
    missing, ``fallback=True`` warns once and uses :class:`PyAVReader`.
    """

    backend = 'torchcodec'


@TRANSFORMS.register_module()
class TorchCodecDecode(_ReaderDecode):
    """Decode ``frame_inds`` from :class:`TorchCodecInit`'s reader (or its
    PyAV fallback)."""

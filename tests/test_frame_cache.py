"""CachedVideoInit / CachedVideoDecode: each video decoded once per process,
with the backend's own pixels (the demo's pipelines use it, with PyAV)."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmengine.dataset import Compose

from mmauxskd.cfg import cache_frames, set_decoder
from mmauxskd.datasets.transforms import frame_cache
from mmauxskd.datasets.transforms.frame_cache import (CachedReader,
                                                      clear_frame_cache,
                                                      frame_cache_info)

pytest.importorskip('av')
#: the backends compared: each with its own uncached Init / Decode pair
PAIRS = dict(pyav=('PyAVSeekInit', 'PyAVSeekDecode'),
             decord=('DecordInit', 'DecordDecode'))


def _backends():
    import importlib.util
    return ['pyav'] + (['decord'] if importlib.util.find_spec('decord')
                       else [])


@pytest.fixture(autouse=True)
def empty_cache():
    clear_frame_cache()
    yield
    clear_frame_cache()


def _videos(tiny_data):
    return sorted(glob.glob(osp.join(tiny_data, 'videos', '*', '*.mp4')))


def _decode(init, filename, inds, decode='CachedVideoDecode'):
    out = TRANSFORMS.build(init)(dict(filename=filename))
    return out, TRANSFORMS.build(dict(type=decode))(
        dict(out, frame_inds=np.asarray(inds)))['imgs']


def _reference(filename, inds, backend='pyav'):
    init, decode = PAIRS[backend]
    return _decode(dict(type=init), filename, inds, decode)


@pytest.mark.parametrize('backend', _backends())
def test_cached_frames_are_the_backends_own(tiny_data, backend):
    """On every tiny demo video, index sets as the samplers draw them
    (sorted clips, unsorted with repeats, both ends): the frames of the
    backend's own Init/Decode pair, from one decode of the video."""
    rng = np.random.default_rng(0)
    videos = _videos(tiny_data)
    for path in videos:
        n = _reference(path, [0], backend)[0]['total_frames']
        for inds in (np.sort(rng.integers(0, n, 16)), rng.integers(0, n, 9),
                     np.array([n - 1, 0, 0])):
            ref_out, ref = _reference(path, inds, backend)
            out, ours = _decode(dict(type='CachedVideoInit',
                                     backend=backend), path, inds)
            assert out['total_frames'] == ref_out['total_frames'] == n
            assert out['avg_fps'] == pytest.approx(ref_out['avg_fps'])
            assert len(ours) == len(ref)
            assert all(np.array_equal(a, b) for a, b in zip(ours, ref))
    assert frame_cache_info()[0] == len(videos)


def test_frames_are_copies_and_a_rewritten_file_is_read_again(tiny_data,
                                                              tmp_path):
    path = str(tmp_path / 'v.mp4')
    first, second = _videos(tiny_data)[:2]
    with open(first, 'rb') as f, open(path, 'wb') as g:
        g.write(f.read())
    _, imgs = _decode(dict(type='CachedVideoInit'), path, [0, 1])
    imgs[0][:] = 0  # a transform working in place (mmcv's imflip_)
    _, again = _decode(dict(type='CachedVideoInit'), path, [0, 1])
    _, ref = _reference(first, [0, 1])
    assert np.array_equal(again[0], ref[0])
    with open(second, 'rb') as f, open(path, 'wb') as g:
        g.write(f.read())
    os.utime(path, ns=(1, 10**18))  # another mtime, whatever the clock
    _, new = _decode(dict(type='CachedVideoInit'), path, [0])
    _, ref = _reference(second, [0])
    assert np.array_equal(new[0], ref[0])


def test_cache_stays_within_max_mb(tiny_data):
    videos = _videos(tiny_data)[:4]
    one = _reference(videos[0], [0])[0]['total_frames'] * 64 * 64 * 3
    limit = 2.5 * one / 2**20  # room for two videos of that size
    for path in videos:
        _decode(dict(type='CachedVideoInit', max_mb=limit), path, [0])
    count, size = frame_cache_info()
    assert 1 <= count <= 3 and size <= limit * 2**20
    assert frame_cache._cache  # the newest is kept, the oldest dropped
    assert list(frame_cache._cache)[-1][0] == videos[-1]
    clear_frame_cache()
    _decode(dict(type='CachedVideoInit', max_mb=0), videos[0], [0])
    assert frame_cache_info() == (0, 0)  # max_mb=0: decode, keep nothing


def test_cache_frames_keeps_the_backend_and_set_decoder_the_cache():
    pipe = [dict(type='PyAVSeekInit'), dict(type='SampleFrames', clip_len=4),
            dict(type='PyAVSeekDecode')]
    out = cache_frames(pipe, max_mb=64)
    assert out[0] == dict(type='CachedVideoInit', backend='pyav', max_mb=64)
    assert out[1:] == [pipe[1], dict(type='CachedVideoDecode')]
    assert cache_frames(out)[0]['backend'] == 'pyav'
    # another decoder (--decoder, the decoder benchmarks): decoded per
    # sample again, so that what is measured is that decoder
    assert set_decoder(out, 'torchcodec')[0] == dict(type='TorchCodecInit')
    assert set_decoder(out, 'pyav')[1:] == pipe[1:]
    with pytest.raises(ValueError, match="'device'"):
        set_decoder(pipe, 'pyav', cache=True, device='cuda')
    with pytest.raises(ValueError, match='no video init'):
        cache_frames([dict(type='RawFrameDecode')])
    with pytest.raises(ValueError, match='backend'):
        TRANSFORMS.build(dict(type='CachedVideoInit', backend='opencv'))
    with pytest.raises(IndexError, match='out of range'):
        CachedReader(np.zeros((3, 2, 2, 3), np.uint8), 25.0).get_frames([3])


def test_multi_view_clips_decode_from_the_cache(tiny_data):
    """auxSKD's two views (MultiViewClips, decoder 'auto') read the cached
    reader: the same clips as from PyAV's."""
    path = _videos(tiny_data)[0]
    results = {}
    for init in ('PyAVSeekInit', 'CachedVideoInit'):
        np.random.seed(5)
        results[init] = Compose([dict(type=init), dict(
            type='MultiViewClips', transforms=[],
            sampler=dict(type='SegmentPaceSampler'))])(
                dict(filename=path, start_index=0, modality='RGB'))
    ref, ours = results['PyAVSeekInit'], results['CachedVideoInit']
    np.testing.assert_array_equal(ours['frame_inds'], ref['frame_inds'])
    np.testing.assert_array_equal(np.stack(ours['imgs']),
                                  np.stack(ref['imgs']))

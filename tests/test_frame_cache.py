"""CachedVideoInit / CachedVideoDecode: each video decoded once per process,
with the backend's own pixels (the demo's pipelines use it)."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmengine.dataset import Compose

from mmauxskd.cfg import set_decoder
from mmauxskd.datasets.transforms import frame_cache
from mmauxskd.datasets.transforms.frame_cache import (CachedReader,
                                                      clear_frame_cache,
                                                      frame_cache_info)

decord = pytest.importorskip('decord')


@pytest.fixture(autouse=True)
def empty_cache():
    clear_frame_cache()
    yield
    clear_frame_cache()


def _videos(tiny_data):
    return sorted(glob.glob(osp.join(tiny_data, 'videos', '*', '*.mp4')))


def _decode(init, filename, inds):
    out = TRANSFORMS.build(init)(dict(filename=filename))
    decode = 'CachedVideoDecode' if init['type'] == 'CachedVideoInit' \
        else 'DecordDecode'
    return out, TRANSFORMS.build(dict(type=decode))(
        dict(out, frame_inds=np.asarray(inds)))['imgs']


def test_cached_frames_are_decords_own(tiny_data):
    """On every tiny demo video, index sets as the samplers draw them
    (sorted clips, unsorted with repeats): DecordInit/DecordDecode's frames,
    from one decode of the video."""
    rng = np.random.default_rng(0)
    videos = _videos(tiny_data)
    for path in videos:
        for _ in range(2):
            n = len(decord.VideoReader(path))
            inds = [np.sort(rng.integers(0, n, 16)), rng.integers(0, n, 9),
                    np.array([n - 1, 0, 0])][_]
            ref_out, ref = _decode(dict(type='DecordInit'), path, inds)
            out, ours = _decode(dict(type='CachedVideoInit'), path, inds)
            assert out['total_frames'] == ref_out['total_frames'] == n
            assert out['avg_fps'] == ref_out['avg_fps']
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
    _, ref = _decode(dict(type='DecordInit'), first, [0, 1])
    assert np.array_equal(again[0], ref[0])
    with open(second, 'rb') as f, open(path, 'wb') as g:
        g.write(f.read())
    os.utime(path, ns=(1, 10**18))  # another mtime, whatever the clock
    _, new = _decode(dict(type='CachedVideoInit'), path, [0])
    _, ref = _decode(dict(type='DecordInit'), second, [0])
    assert np.array_equal(new[0], ref[0])


def test_cache_stays_within_max_mb(tiny_data):
    videos = _videos(tiny_data)[:4]
    one = len(decord.VideoReader(videos[0])) * 64 * 64 * 3
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


def test_set_decoder_cache_and_bad_arguments():
    pipe = [dict(type='DecordInit'), dict(type='SampleFrames', clip_len=4),
            dict(type='DecordDecode')]
    out = set_decoder(pipe, 'decord', cache=True, max_mb=64)
    assert out[0] == dict(type='CachedVideoInit', backend='decord',
                          max_mb=64)
    assert out[2] == dict(type='CachedVideoDecode')
    assert set_decoder(out, 'pyav')[0] == dict(type='PyAVSeekInit')
    with pytest.raises(ValueError, match="'device'"):
        set_decoder(pipe, 'pyav', cache=True, device='cuda')
    with pytest.raises(ValueError, match='backend'):
        TRANSFORMS.build(dict(type='CachedVideoInit', backend='opencv'))
    with pytest.raises(IndexError, match='out of range'):
        CachedReader(np.zeros((3, 2, 2, 3), np.uint8), 25.0).get_frames([3])


def test_multi_view_clips_decode_from_the_cache(tiny_data):
    """auxSKD's two views (MultiViewClips, decoder 'auto') read the cached
    reader: the same clips as from decord's."""
    path = _videos(tiny_data)[0]
    results = {}
    for init in ('DecordInit', 'CachedVideoInit'):
        np.random.seed(5)
        results[init] = Compose([dict(type=init), dict(
            type='MultiViewClips', transforms=[],
            sampler=dict(type='SegmentPaceSampler'))])(
                dict(filename=path, start_index=0, modality='RGB'))
    ref, ours = results['DecordInit'], results['CachedVideoInit']
    np.testing.assert_array_equal(ours['frame_inds'], ref['frame_inds'])
    np.testing.assert_array_equal(np.stack(ours['imgs']),
                                  np.stack(ref['imgs']))

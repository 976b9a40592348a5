"""The decoders beside decord (video_readers.py) and tools/data/resize_videos.

Each decoder must return the frames asked for (VSPP's and auxSKD's two-view
index sets, unsorted, with repeats) on real H.264 files: the demo
generator's and one written here with far keyframes and B-frames, whose
frames carry their index in their brightness so that order is checked
without any other decoder. Where decord (optional) is installed they must
also be decord's frames, PyAV's exactly and torchcodec's within the
tolerance of its RGB conversion; those comparisons skip without it.
"""
import os
import os.path as osp
import warnings
from fractions import Fraction

import numpy as np
import pytest

from mmaction.registry import TRANSFORMS

from mmauxskd.datasets.transforms import SegmentPaceSampler
from mmauxskd.datasets.transforms.video_readers import (
    DecoderUnavailableError, PyAVReader, TorchCodecReader, open_reader,
    torchcodec_problem)
from mmauxskd.cfg import set_decoder

av = pytest.importorskip('av')
TOL = 3.0  # mean grey levels, for decoders that convert YUV -> RGB on
# their own (torchcodec); PyAVReader gives decord's pixels exactly


def brightness(i):
    return 16 + 3 * i


def write_video(path, frames=70, size=(320, 192), gop=30, bframes=2,
                rate=25):
    """An H.264 mp4 whose frame i has brightness ``brightness(i)`` (plus a
    moving bar), keyframes ``gop`` apart, with B-frames."""
    with av.open(path, 'w') as out:
        stream = out.add_stream('libx264', rate=rate)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], \
            'yuv420p'
        stream.options = {'x264-params': f'keyint={gop}:min-keyint={gop}:'
                          f'scenecut=0:bframes={bframes}', 'crf': '18'}
        for i in range(frames):
            img = np.full((size[1], size[0], 3), brightness(i), np.uint8)
            img[:, (4 * i) % size[0]:(4 * i) % size[0] + 8] = 255
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            frame.pts, frame.time_base = i, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.fixture(scope='module')
def coded(tmp_path_factory):
    folder = tmp_path_factory.mktemp('coded')
    os.makedirs(folder / 'src' / 'a')
    return dict(
        long=write_video(str(folder / 'src' / 'a' / 'long.mp4')),
        short=write_video(str(folder / 'src' / 'short.mp4'), frames=40,
                          size=(96, 64), gop=250, bframes=0),
        folder=str(folder))


def index_sets(num_frames, seed=0):
    """VSPP clips, auxSKD two-view unions, and unsorted indices with
    repeats."""
    sampler = SegmentPaceSampler(clip_len=16, num_segments=4, num_paces=4)
    rng = np.random.default_rng(seed)
    sets = [sampler.sample_indices(num_frames, rng)[0] for _ in range(3)]
    for _ in range(3):
        views = [sampler.sample_indices(num_frames, rng)[0] for _ in '12']
        sets.append(np.unique(np.concatenate(views)))
    sets.append(rng.integers(0, num_frames, 12))  # unsorted, repeats
    sets.append(np.array([num_frames - 1, 0, 5, 5, num_frames - 1]))
    return sets


def decord_frames(path, inds):
    decord = pytest.importorskip('decord')
    return decord.VideoReader(path, num_threads=1).get_batch(
        list(inds)).asnumpy()


def have_decord():
    try:
        import decord  # noqa: F401
    except ImportError:
        return False
    return True


def mean_diff(a, b):
    return float(np.abs(np.asarray(a, np.float32) - b).mean())


def test_brightness_encodes_order(coded):
    """The test video itself: decord sees the written brightness per
    frame, so the comparisons below also check order."""
    frames = decord_frames(coded['long'], range(70))
    assert (frame_numbers(frames) == np.arange(70)).all()


def frame_numbers(frames):
    """The index each frame's brightness says (its median grey level:
    the moving bar does not count)."""
    level = np.median(np.asarray(frames).reshape(len(frames), -1), axis=1)
    return np.abs(level[:, None] - brightness(np.arange(256))).argmin(1)


@pytest.mark.parametrize('name', ['long', 'short'])
def test_pyav_reader_matches_decord(coded, name):
    path = coded[name]
    reader = PyAVReader(path)  # one reader: later calls seek backwards too
    sets = index_sets(len(reader))
    got = [np.stack(reader.get_frames(inds)) for inds in sets]
    for inds, frames in zip(sets, got):  # the frames asked for, in order
        assert frames.dtype == np.uint8
        np.testing.assert_array_equal(frame_numbers(frames), inds)
    decord = pytest.importorskip('decord')
    assert len(reader) == len(decord.VideoReader(path))
    for inds, frames in zip(sets, got):
        # the same swscale conversion as decord: the same pixels
        np.testing.assert_array_equal(frames, decord_frames(path, inds),
                                      err_msg=str(inds))


def test_pyav_reader_matches_decord_on_demo_videos(tiny_data):
    folder = osp.join(tiny_data, 'videos', 'unlabelled')
    for name in sorted(os.listdir(folder))[:3]:
        path = osp.join(folder, name)
        reader = PyAVReader(path)
        for inds in index_sets(len(reader), seed=1)[:4]:
            np.testing.assert_array_equal(np.stack(reader.get_frames(inds)),
                                          decord_frames(path, inds))


def test_pyav_reader_rejects_out_of_range(coded):
    reader = PyAVReader(coded['short'])
    with pytest.raises(IndexError, match='out of range'):
        reader.get_frames([0, 40])


@pytest.mark.skipif(torchcodec_problem('cpu') is not None,
                    reason=f'torchcodec: {torchcodec_problem("cpu")}')
def test_torchcodec_reader_matches_decord(coded):
    reader = TorchCodecReader(coded['long'])
    for inds in index_sets(len(reader)):
        assert mean_diff(reader.get_frames(inds),
                         decord_frames(coded['long'], inds)) < TOL


def _pipeline(init):
    return [init, dict(type='SegmentPaceSampler'),
            dict(type=init['type'].replace('Init', 'Decode'))]


@pytest.mark.parametrize('init', [dict(type='PyAVSeekInit'),
                                  dict(type='TorchCodecInit')])
def test_transforms_decode_like_decord(coded, init):
    """The registered Init/Decode pairs (TorchCodec's falls back to PyAV
    where torchcodec cannot load) decode a VSPP clip's frames, in order,
    like DecordDecode where decord is installed."""
    from mmengine.dataset import Compose
    results = {}
    pipes = [_pipeline(init)] + (
        [_pipeline(dict(type='DecordInit'))] if have_decord() else [])
    for pipe in pipes:
        np.random.seed(3)  # the same VSPP draw for both
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)
            out = Compose(pipe)(dict(filename=coded['long'], start_index=0,
                                     modality='RGB'))
        results[pipe[0]['type']] = out
    ours = results[init['type']]
    assert ours['total_frames'] == 70 and ours['video_reader'] is None
    np.testing.assert_array_equal(frame_numbers(ours['imgs']),
                                  ours['frame_inds'])
    if 'DecordInit' not in results:
        return
    ref = results['DecordInit']
    assert ref['total_frames'] == 70
    np.testing.assert_array_equal(ours['frame_inds'], ref['frame_inds'])
    assert mean_diff(ours['imgs'], np.stack(ref['imgs'])) < TOL


def test_multi_view_clips_auto_picks_our_decoder(coded):
    """MultiViewClips(decoder='auto') decodes the union of its views with the
    reader's own decode transform."""
    view = TRANSFORMS.build(dict(
        type='MultiViewClips', transforms=[],
        sampler=dict(type='SegmentPaceSampler')))
    out = view(TRANSFORMS.build(dict(type='PyAVSeekInit'))(
        dict(filename=coded['long'], start_index=0, modality='RGB')))
    inds = out['frame_inds']
    assert inds.shape == (2, 16)
    want = PyAVReader(coded['long']).get_frames(inds.reshape(-1))
    np.testing.assert_array_equal(np.stack(out['imgs']), np.stack(want))
    np.testing.assert_array_equal(frame_numbers(want), inds.reshape(-1))


def test_cuda_request_without_cuda_is_clear(coded):
    """Asking for NVDEC where it cannot work: a clear error (fallback off)
    or one warning and the CPU decoder's frames (fallback on)."""
    import torch
    if torch.cuda.is_available():
        pytest.skip('a GPU is present')
    for backend in ('pyav', 'torchcodec'):
        with pytest.raises(DecoderUnavailableError,
                           match='CUDA|cuda|NVDEC|torchcodec'):
            open_reader(coded['short'], backend, 'cuda', fallback=False)
    init = TRANSFORMS.build(dict(type='TorchCodecInit', device='cuda'))
    with pytest.warns(RuntimeWarning, match='decoding on the CPU'):
        import mmauxskd.datasets.transforms.video_readers as vr
        vr._warned.clear()
        vr._unavailable.clear()
        out = init(dict(filename=coded['short']))
    assert isinstance(out['video_reader'], PyAVReader)
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        TRANSFORMS.build(dict(type='PyAVSeekInit', device='gpu'))


def test_set_decoder_swaps_pairs_everywhere():
    from mmengine.config import Config
    from mmauxskd.cfg import to_rawframes
    from conftest import ROOT
    cfg = Config.fromfile(osp.join(ROOT, 'configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py'))
    pipe = cfg.train_dataloader.dataset.pipeline
    out = set_decoder(pipe, 'pyav', num_threads=2)
    assert out[0] == dict(type='PyAVSeekInit', num_threads=2)
    assert [t['type'] for t in out][1:] == [t['type'] for t in pipe][1:]
    single = set_decoder([dict(type='DecordInit'), dict(type='SampleFrames',
                          clip_len=4), dict(type='DecordDecode')],
                         'torchcodec', device='cuda')
    assert single[0] == dict(type='TorchCodecInit', device='cuda')
    assert single[2] == dict(type='TorchCodecDecode')
    if have_decord():
        assert set_decoder(single, 'decord', device='cuda')[0] == dict(
            type='DecordInit')
    else:  # optional: asking for it says how to install it, in one line
        with pytest.raises(ImportError, match=r'^set_decoder.*needs decord, '
                           r'which is not installed: pip install -e '
                           r'\.\[decord\][^\n]*$'):
            set_decoder(single, 'decord')
    assert [t['type'] for t in to_rawframes(single)] == [
        'SampleFrames', 'RawFrameDecode']
    with pytest.raises(ValueError, match='backend'):
        set_decoder(single, 'opencv2')


# ---------------------------------------------------------------- resizing

def _resize_tool():
    import resize_videos  # tools/data is on sys.path (conftest); a real
    return resize_videos  # module, so that worker processes can import it


def _decoded_numbers(path):
    """Frame numbers of every frame, decoded in order by PyAV."""
    with av.open(path) as c:
        return frame_numbers([f.to_ndarray(format='rgb24')
                              for f in c.decode(video=0)])


def test_resized_video_keeps_frames_and_order(coded, capsys):
    tool = _resize_tool()
    src, dst = osp.join(coded['folder'], 'src'), osp.join(coded['folder'],
                                                          'dst')
    ann = osp.join(coded['folder'], 'list.txt')
    with open(ann, 'w') as f:
        f.write('a/long.mp4 3\nshort.mp4 1\n')
    assert tool.main(['--src-root', src, '--dst-root', dst, '--list', ann,
                      '--workers', '2', '--no-progress']) == 0
    out = osp.join(dst, 'a', 'long.mp4')
    with av.open(out) as c:
        stream = c.streams.video[0]
        assert (stream.width, stream.height) == (214, 128)
        keys = [i for i, p in enumerate(
            q for q in c.demux(stream) if q.size) if p.is_keyframe]
    assert keys == list(range(0, 70, 16))  # --gop 16, nothing else
    assert len(PyAVReader(out)) == 70
    # same frames, same order
    assert (_decoded_numbers(out) == np.arange(70)).all()
    small = osp.join(dst, 'short.mp4')  # 96x64: not upscaled
    with av.open(small) as c:
        assert c.streams.video[0].height == 64
    with open(osp.join(dst, 'list.txt')) as f:
        assert f.read().split('\n')[:2] == ['a/long.mp4 3', 'short.mp4 1']
    if have_decord():
        assert len(decord_frames(out, range(70))) == 70

    # resumable: complete outputs are skipped, a truncated one is redone
    mtime = os.path.getmtime(small)
    with open(out, 'r+b') as f:
        f.truncate(os.path.getsize(out) // 2)
    capsys.readouterr()
    assert tool.main(['--src-root', src, '--dst-root', dst, '--workers',
                      '1', '--no-progress']) == 0
    assert '1 resized, 1 already there, 0 failed' in capsys.readouterr().out
    assert os.path.getmtime(small) == mtime
    assert (_decoded_numbers(out) == np.arange(70)).all()


def test_resize_check_catches_bad_outputs(coded, tmp_path):
    tool = _resize_tool()
    dst = str(tmp_path / 'x.mp4')
    frames, kept = tool.encode(coded['short'], dst, 128, 16, 23, 'veryfast',
                               'fastdecode')
    assert frames == 40 and sorted(kept) == [0, 20, 39]
    assert tool.verify(dst, frames, kept, 12.0) is None
    assert 'frames' in tool.verify(dst, frames + 1, kept, 12.0)
    swapped = {0: kept[39], 20: kept[20], 39: kept[0]}  # order broken
    assert 'differs' in tool.verify(dst, frames, swapped, 12.0)
    with open(dst, 'r+b') as f:
        f.truncate(100)
    assert tool.verify(dst, frames, kept, 12.0) is not None


def test_train_tool_decoder_option():
    """tools/train.py --decoder pyav swaps the decoder of every video
    loader (the auxSKD config's two-view pipeline too)."""
    from mmengine.config import Config
    from conftest import ROOT, load_tool
    tool = load_tool('train.py')
    for config, loaders in (
            ('configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py', {'train'}),
            ('configs/finetune/r2plus1d-r10_2xb15-16x1x1-25e_ucf101-split1-'
             'rgb.py', {'train', 'val', 'test'})):
        path = osp.join(ROOT, config)
        args = tool.parse_args([path, '--decoder', 'pyav'])
        cfg = tool.merge_args(Config.fromfile(path), args)
        for split in ('train', 'val', 'test'):
            loader = cfg.get(f'{split}_dataloader')
            if split not in loaders:
                assert not loader
                continue
            dataset = loader.dataset
            while 'pipeline' not in dataset:
                dataset = dataset.dataset
            types = [t['type'] for t in dataset.pipeline]
            assert types[0] == 'PyAVSeekInit', (config, split, types)
            assert 'DecordDecode' not in types
    raw = osp.join(ROOT, 'configs/finetune/r2plus1d-r10_2xb15-16x1x1-25e_'
                   'ucf101-split1-rawframes.py')
    cfg = tool.merge_args(Config.fromfile(raw), tool.parse_args(
        [raw, '--decoder', 'pyav']))
    assert cfg.train_dataloader.dataset.pipeline[0]['type'] != 'PyAVSeekInit'


def test_pyav_reads_widths_decord_misreads(tmp_path):
    """decord 0.6.0 fails on 48-pixel-wide videos (docs/compatibility.md);
    the PyAV reader returns their frames, in order."""
    path = write_video(str(tmp_path / 'w48.mp4'), frames=20, size=(48, 48),
                       gop=8)
    frames = PyAVReader(path).get_frames([19, 0, 7])
    assert [f.shape for f in frames] == [(48, 48, 3)] * 3
    assert list(frame_numbers(frames)) == [19, 0, 7]

"""PyAVReader takes an MP4's own sample table instead of reading every
packet only where the two agree, and decodes the same frames either way."""
from fractions import Fraction

import numpy as np
import pytest

from mmauxskd.datasets.transforms.video_readers import PyAVReader

av = pytest.importorskip('av')


def brightness(i):
    return 16 + 3 * i


def write_video(path, frames=60, gop=16, bframes=0, pts_offset=0,
                size=(96, 64)):
    """H.264 in MP4, frame i at brightness(i); ``pts_offset`` frames added
    to every presentation time (not to the decoding times)."""
    with av.open(path, 'w') as out:
        stream = out.add_stream('libx264', rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], \
            'yuv420p'
        stream.options = {'x264-params': f'keyint={gop}:min-keyint={gop}:'
                          f'scenecut=0:bframes={bframes}', 'crf': '18'}

        def mux(packets):
            for packet in packets:
                if pts_offset:
                    packet.pts += pts_offset * 512  # mp4 time base 1/12800
                out.mux(packet)
        for i in range(frames):
            img = np.full((size[1], size[0], 3), brightness(i), np.uint8)
            img[:, (3 * i) % size[0]:(3 * i) % size[0] + 6] = 255
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            frame.pts, frame.time_base = i, Fraction(1, 25)
            mux(stream.encode(frame))
        mux(stream.encode(None))
    return path


def numbers(frames):
    level = np.median(np.asarray(frames).reshape(len(frames), -1), axis=1)
    return np.abs(level[:, None] - brightness(np.arange(80))).argmin(1)


def packets_reader(path):
    """The reader as it was: every packet read on opening."""
    return PyAVReader(path, index='packets')


def index_sets(total, seed=0):
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(6):  # VSPP-like spans, then unsorted with repeats
        start = int(rng.integers(0, total - 28))
        sets.append(np.sort(rng.choice(np.arange(start, start + 28), 16,
                                       replace=False)))
    return sets + [rng.integers(0, total, 12), np.array([total - 1, 0, 0])]


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp('index')
    return dict(
        plain=write_video(str(folder / 'plain.mp4')),
        bframes=write_video(str(folder / 'bframes.mp4'), bframes=2),
        offset=write_video(str(folder / 'offset.mp4'), pts_offset=2))


@pytest.mark.parametrize('name, source', [
    ('plain', 'container'), ('bframes', 'packets'), ('offset', 'packets')])
def test_same_index_and_frames_as_reading_every_packet(videos, name,
                                                       source):
    """No reordering (what resize_videos.py writes): the container's table;
    B-frames or presentation times offset from decoding times: packets."""
    fast, slow = PyAVReader(videos[name]), packets_reader(videos[name])
    assert (fast.index_source, slow.index_source) == (source, 'packets')
    assert len(fast) == len(slow) == 60
    np.testing.assert_array_equal(fast.pts, slow.pts)
    np.testing.assert_array_equal(fast.keyframes, slow.keyframes)
    for inds in index_sets(60):  # one reader each: seeks back and forth
        got = np.stack(fast.get_frames(inds))
        np.testing.assert_array_equal(got, np.stack(slow.get_frames(inds)))
        np.testing.assert_array_equal(numbers(got), inds)


def test_a_table_that_disagrees_is_replaced_while_decoding(videos):
    """Should a decoded frame's time be missing from the container's table,
    the reader reads the packets and decodes the same frames."""

    class Shifted(PyAVReader):
        def _index_from_container(self):
            assert super()._index_from_container()
            self._set_index(self.pts + 1, self.keyframes, 'container')
            return True

    reader = Shifted(videos['plain'])
    assert reader.index_source == 'container'
    inds = [40, 3, 17, 17]
    np.testing.assert_array_equal(numbers(reader.get_frames(inds)), inds)
    assert reader.index_source == 'packets'
    np.testing.assert_array_equal(reader.pts,
                                  packets_reader(videos['plain']).pts)
    with pytest.raises(ValueError, match="'auto' or 'packets'"):
        PyAVReader(videos['plain'], index='table')


def test_the_transform_passes_the_choice_on(videos):
    from mmaction.registry import TRANSFORMS
    for index, source in (('auto', 'container'), ('packets', 'packets')):
        init = TRANSFORMS.build(dict(type='PyAVSeekInit', index=index))
        reader = init(dict(filename=videos['plain']))['video_reader']
        assert reader.index_source == source

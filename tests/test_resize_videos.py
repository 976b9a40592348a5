"""tools/data/resize_videos.py never overwrites a video silently and tells
scripts when an output failed (its exit status, as a shell sees it)."""
import os
import os.path as osp
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from conftest import ROOT

av = pytest.importorskip('av')
TOOL = osp.join(ROOT, 'tools', 'data', 'resize_videos.py')


def write_video(path, frames=8, size=(64, 48), codec='libx264',
                container=None):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with av.open(path, 'w', format=container) as out:
        stream = out.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], \
            'yuv420p'
        for i in range(frames):
            img = np.full((size[1], size[0], 3), 20 + 10 * i, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            frame.pts, frame.time_base = i, Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_sources_differing_in_extension_are_refused(tmp_path):
    """MMAction2's tests/data has test.avi and test.mp4: both would become
    test.mp4; the tool stops before any work, naming both."""
    import resize_videos
    src, dst = tmp_path / 'src', tmp_path / 'dst'
    write_video(str(src / 'test.mp4'))
    write_video(str(src / 'test.avi'), codec='mpeg4', container='avi')
    write_video(str(src / 'other.mp4'))
    with pytest.raises(SystemExit) as err:
        resize_videos.main(['--src-root', str(src), '--dst-root', str(dst),
                            '--workers', '1', '--no-progress'])
    message = str(err.value.code)
    assert 'test.avi and test.mp4 would both be written to ' + osp.join(
        str(dst), 'test.mp4') in message
    assert 'nothing was written' in message and 'other.mp4' not in message
    assert not dst.exists()  # not even the video without a twin
    # the same pair through a list
    ann = tmp_path / 'list.txt'
    ann.write_text('test.mp4 0\ntest.avi 1\n')
    with pytest.raises(SystemExit, match='test.mp4 and test.avi'):
        resize_videos.main(['--src-root', str(src), '--dst-root', str(dst),
                            '--list', str(ann), '--no-progress'])
    # an output in place of its own source
    with pytest.raises(SystemExit, match='would replace the source '
                       'other.mp4'):
        resize_videos.main(['--src-root', str(src), '--dst-root',
                            str(src / '..' / 'src'), '--no-progress'])
    assert sorted(os.listdir(src)) == ['other.mp4', 'test.avi', 'test.mp4']


def test_a_failed_output_makes_the_exit_status_non_zero(tmp_path):
    src, dst = tmp_path / 'src', tmp_path / 'dst'
    write_video(str(src / 'good.mp4'))
    (src / 'broken.mp4').write_bytes(b'not a video')
    run = subprocess.run(
        [sys.executable, TOOL, '--src-root', str(src), '--dst-root',
         str(dst), '--workers', '1', '--no-progress'],
        capture_output=True, text=True, cwd=ROOT)
    assert '1 resized, 0 already there, 1 failed' in run.stdout, run.stdout
    assert 'failed: broken.mp4' in run.stdout
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert sorted(os.listdir(dst)) == ['good.mp4']

"""Dataloader workers run torch, OpenCV and the PyAV reader on one thread
(``worker_threads_init``, as the configs name it), and draw the same random
numbers as under mmengine's own worker seeding."""
import random
from fractions import Fraction

import cv2
import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from mmengine.runner.utils import set_random_seed
from torch.utils.data import Dataset

from mmauxskd.datasets.transforms import video_readers

av = pytest.importorskip('av')


def write_video(path, frames=4, size=(32, 32)):
    with av.open(path, 'w') as out:
        stream = out.add_stream('libx264', rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], \
            'yuv420p'
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(
                np.full((size[1], size[0], 3), 40 * i, np.uint8),
                format='rgb24')
            frame.pts, frame.time_base = i, Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


class Threads(Dataset):
    """What a worker runs on: torch and OpenCV threads, the readers'
    default, and the FFmpeg threads of a reader the pipeline would open."""

    def __init__(self, video):
        self.video = video

    def __len__(self):
        return 2

    def __getitem__(self, index):
        reader = video_readers.PyAVSeekInit()(dict(filename=self.video))[
            'video_reader']
        codec = reader.stream.codec_context
        out = dict(torch=torch.get_num_threads(), cv2=cv2.getNumThreads(),
                   decode=video_readers.decode_threads(),
                   ffmpeg=codec.thread_count, frames=len(reader))
        reader.close()
        return out


class Draws(Dataset):
    """Each worker's first draws of python, numpy and torch."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        info = torch.utils.data.get_worker_info()
        return (index, info.id, random.random(), int(np.random.randint(1e9)),
                int(torch.randint(0, 10**9, ())))


def samples(loader):
    """The tuples of a loader of one-sample batches (pseudo_collate makes
    a list of each field)."""
    return [tuple(field[0] for field in batch) for batch in loader]


def build(dataset, workers, seed, **cfg):
    return Runner.build_dataloader(dict(
        dataset=dataset, batch_size=1, num_workers=workers,
        sampler=dict(type='DefaultSampler', shuffle=False), **cfg), seed=seed)


def test_a_worker_runs_on_one_thread(tmp_path):
    """The main process on more threads than a worker may use (torch,
    the readers) and OpenCV set as mmengine's Runner sets it (0:
    sequential; a forked worker cannot change it safely)."""
    video = write_video(str(tmp_path / 'v.mp4'))
    threads, opencv = torch.get_num_threads(), cv2.getNumThreads()
    try:
        torch.set_num_threads(3)
        cv2.setNumThreads(0)  # Runner: env_cfg.mp_cfg.opencv_num_threads
        video_readers.set_decode_threads(3)
        here = Threads(video)[0]
        assert (here['decode'], here['ffmpeg']) == (3, 3)
        loader = build(Threads(video), 1, 0, pin_memory=True,
                       worker_init_fn=dict(type='worker_threads_init'))
        with pytest.warns(UserWarning, match='pin_memory'):  # CPU: harmless
            seen = list(loader)
    finally:
        torch.set_num_threads(threads)
        cv2.setNumThreads(opencv)
        video_readers.set_decode_threads(1)
    for batch in seen:  # pseudo_collate: a list per key
        got = {key: value[0] for key, value in batch.items()}
        assert got == dict(torch=1, cv2=1, decode=1, ffmpeg=1, frames=4)
    with pytest.raises(ValueError, match='>= 0'):
        video_readers.set_decode_threads(-1)


def test_workers_are_seeded_as_mmengine_seeds_them():
    """Set by a config, mmengine's Runner no longer seeds the workers
    itself: ``worker_threads_init`` does it the same way (the Runner's seed
    from the main process), with two workers, the way the Runner calls it."""
    draws = {}
    for name, cfg in (('mmengine', {}), ('ours', dict(
            worker_init_fn=dict(type='worker_threads_init')))):
        set_random_seed(7)  # as Runner.set_randomness
        draws[name] = samples(build(Draws(), 2, 7, **cfg))
    assert draws['ours'] == draws['mmengine']
    assert {d[1] for d in draws['ours']} == {0, 1}
    set_random_seed(7)  # without any seeding: PyTorch's, another stream
    plain = Runner.build_dataloader(dict(
        dataset=Draws(), batch_size=1, num_workers=2,
        sampler=dict(type='DefaultSampler', shuffle=False)))
    assert samples(plain) != draws['mmengine']


@pytest.mark.parametrize('config, pinned', [
    ('vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py', True),
    ('finetune/r2plus1d-r10_2xb15-16x1x1-25e_ucf101-split1-rgb.py', True),
    ('vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py', False)])
def test_configs_loaders_name_it(config, pinned):
    """The paper's loaders (GPU) pin their batches, the demo's (CPU) do
    not; all of them start their workers with worker_threads_init."""
    import os.path as osp

    from mmengine.config import Config

    from conftest import ROOT
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    loaders = [cfg.get(f'{s}_dataloader') for s in ('train', 'val', 'test')]
    loaders = [lo for lo in loaders if lo and lo.num_workers]
    assert loaders
    for loader in loaders:
        assert loader.worker_init_fn == dict(type='worker_threads_init')
        assert loader.pin_memory is pinned
        assert 'prefetch_factor' not in loader  # num_workers=0 stays legal


def test_opencv_is_changed_only_outside_forked_workers(monkeypatch):
    """A forked worker inherits the main process's OpenCV thread pool
    without its threads, and cv2.setNumThreads there waits for them
    forever: such a worker leaves OpenCV as it finds it (one thread under
    mmengine's Runner) and warns where it finds more; a process of its own
    (the main one, or a spawned worker) sets it."""
    from mmauxskd.datasets import worker_init
    calls = []
    monkeypatch.setattr(cv2, 'setNumThreads', calls.append)
    threads = torch.get_num_threads()
    try:
        for forked, count, expected in ((True, 1, []), (True, 3, []),
                                        (False, 1, []), (False, 3, [1])):
            monkeypatch.setattr(worker_init, '_forked', forked)
            monkeypatch.setattr(cv2, 'getNumThreads', lambda: count)
            calls.clear()
            if forked and count > 1:
                with pytest.warns(RuntimeWarning,
                                  match='opencv_num_threads=0'):
                    worker_init.limit_threads(1)
            else:
                worker_init.limit_threads(1)
            assert calls == expected, (forked, count)
    finally:
        torch.set_num_threads(threads)
        video_readers.set_decode_threads(1)

"""One thread per dataloader worker (torch, OpenCV, FFmpeg), seeded as
mmengine seeds its workers.

A loader runs ``num_workers`` processes side by side; a library that also
starts a thread per core in each of them (OpenCV by default, FFmpeg when
asked, torch outside PyTorch's own worker loop) makes ``workers x cores``
threads fight for the cores. The configs' loaders therefore say::

    worker_init_fn=dict(type='worker_threads_init')

and each worker then runs torch (``torch.set_num_threads``), OpenCV and
the PyAV/torchcodec readers of
:mod:`mmauxskd.datasets.transforms.video_readers`
(:func:`~mmauxskd.datasets.transforms.video_readers.set_decode_threads`, for
the readers whose ``num_threads`` is not stated) on ``threads`` threads.

OpenCV's thread count must be set in the main process before the workers
start, not in a forked worker: a worker inherits the main process's OpenCV
thread pool without its threads, and ``cv2.setNumThreads`` there waits for
them forever (seen: workers stuck in it, under a Runner and in a test).
mmengine's Runner sets it (``env_cfg.mp_cfg.opencv_num_threads=0``,
sequential, in ``configs/_base_/default_runtime.py``), so a forked worker
finds OpenCV on one thread already and leaves it; one that finds more
warns, naming the setting, and leaves it too. A worker started with
``'spawn'`` (a fresh process) sets it.

mmengine's ``Runner.build_dataloader`` calls a config's ``worker_init_fn``
with its own arguments only, in place of mmengine's ``worker_init_fn``,
which seeds python, numpy and torch in worker ``i`` of rank ``r`` with
``num_workers * r + i + seed`` (the Runner's seed). This function calls
that same mmengine function afterwards, with the same arguments: the
worker count from PyTorch's worker info, the rank from ``mmengine.dist``,
and the Runner's seed, which is the main process's torch seed
(``Runner.set_randomness`` seeds torch with it, rank included under
``diff_rank_seed``), noted when the worker is forked. So a config that
names it draws the same numbers as one that does not (tested). A worker
started with ``'spawn'`` (no fork) knows no parent's seed and keeps
PyTorch's own per-worker seeds, unless ``seed`` is given.
"""
import os
import warnings

import torch
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from mmengine.dist import get_rank
from mmengine.registry import FUNCTIONS

from .transforms.video_readers import set_decode_threads

__all__ = ['worker_threads_init', 'limit_threads']

_parent_seed = None  # the forking process's torch seed, in a forked child
_forked = False  # this process is a fork of one that imported this module


def _note_parent_seed():
    global _parent_seed
    _parent_seed = torch.initial_seed()


def _note_forked():
    global _forked
    _forked = True


if hasattr(os, 'register_at_fork'):  # POSIX
    os.register_at_fork(before=_note_parent_seed, after_in_child=_note_forked)


def limit_threads(threads=1):
    """Run torch, OpenCV and the video readers of this process on
    ``threads`` threads; in a forked process OpenCV only where it is
    already (module docstring)."""
    torch.set_num_threads(threads)
    try:
        import cv2
    except ImportError:
        cv2 = None
    if cv2 is not None and cv2.getNumThreads() != threads:
        if not _forked:
            cv2.setNumThreads(threads)
        else:
            warnings.warn(
                f'OpenCV runs {cv2.getNumThreads()} threads in this forked '
                f'worker, not {threads}: set it in the main process before '
                "the loader starts (mmengine's Runner does: env_cfg.mp_cfg."
                'opencv_num_threads=0); changing it here can deadlock',
                RuntimeWarning)
    set_decode_threads(threads)


@FUNCTIONS.register_module()
def worker_threads_init(worker_id, threads=1, seed=None,
                        disable_subprocess_warning=False):
    """A dataloader's ``worker_init_fn``: :func:`limit_threads`, then
    mmengine's seeding of the worker (module docstring).

    Args:
        worker_id (int): given by PyTorch.
        threads (int): threads of torch, OpenCV and FFmpeg. Defaults to 1.
        seed (int | None): the seed mmengine's seeding adds; ``None``: the
            Runner's (the forking process's torch seed).
        disable_subprocess_warning (bool): as mmengine's: warnings only in
            worker 0.
    """
    limit_threads(threads)
    if seed is None:
        seed = _parent_seed
    if seed is None:
        return  # spawned: PyTorch's per-worker seeds stay
    info = torch.utils.data.get_worker_info()
    num_workers = info.num_workers if info is not None else 1
    # numpy takes seeds below 2**32; the Runner's are below 2**31
    # (mmengine draws them so), a bare process's torch seed may be larger
    seed = seed % 2**31
    mmengine_worker_init_fn(worker_id, num_workers, get_rank(), seed,
                            disable_subprocess_warning)

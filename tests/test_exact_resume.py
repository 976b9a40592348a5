"""``--resume`` is exact with the loaders as the configs ship them (one
persistent dataloader worker): resumed from the work dir a run killed in
epoch 2 leaves, a run takes the same steps and ends with every tensor of
the uninterrupted run, for each method family; dataloader workers re-seed
from (seed, epoch, rank, worker id) alone, whenever they were started.
(A process killed with persistent workers: tests/test_dist_resume.py.)"""
import copy
import itertools
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from conftest import ROOT, load_tool, write_config
from test_dist_resume import _log
from train_runs import assert_same_state, epoch_1_of

# demo config; what it shrinks (after the common part); its custom_hooks;
# the state the family adds (state-dict values after epoch 2, 4 videos)
FAMILIES = {
    # VSPP with flip and colour jitter drawn by the model's
    # ClipAugmentPreprocessor, as the real configs do (the demo keeps them
    # in its worker, as the other families' demos do: that path is theirs)
    'vspp-device': (
        'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py',
        '_augments = config_variable(\n'
        f'    {osp.join(ROOT, "configs/_base_/datasets/video_clips.py")!r},\n'
        "    'clip_augments')\n"
        'model = dict(data_preprocessor=dict(augments=_augments))\n'
        "train_dataloader['dataset']['pipeline'] = move_augments(\n"
        '    _base_.train_pipeline, _augments)\n',
        '_base_.custom_hooks', {}),
    'auxskd': (
        'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py',
        'model = dict(queue_size=5)\n', '_base_.custom_hooks',
        {'momentum_contrast.queue.ptr': 4 * 2 % 5,  # 4 steps of 2
         'momentum_contrast.encoder.steps': 4}),
    'mlfo': (
        'configs/mlfo/mlfo_r2plus1d-r10-w8_1xb16-3x16-600it_demo-rgb.py',
        'model = dict(semantic_head=dict(num_prototypes=4, queue_size=6),\n'
        '             queue_start_epoch=1)\n', '_base_.custom_hooks',
        # stage 2 reached; the score queue counts 4 steps x 2 views x 2
        # clips
        {'epoch': 1, 'semantic_head.queue_filled': 4 * 2 * 2}),
    'vi2clr': (
        'configs/vi2clr/vi2clr_r2plus1d-r10-w8_1xb16-16x32-1200it_demo-rgb.py',
        # 8-frame clips, a two-stage ResNet-18; FINCH in epoch 2, after the
        # resume
        "train_dataloader['dataset']['pipeline'] = vi2clr_train_pipeline(\n"
        '    update_pipeline(_base_.clip_pipeline,\n'
        '                    SampleFrames=dict(clip_len=8)))\n'
        'clip_pipeline = None\n'
        'model = dict(image_backbone=dict(num_stages=2, out_indices=(1, ),\n'
        '                                 strides=(1, 2), dilations=(1, 1)),\n'
        '             image_neck=dict(in_channels=128, hid_channels=128),\n'
        '             joint_neck=dict(in_channels=64 + 128,\n'
        '                             hid_channels=128))\n',
        "update_pipeline(_base_.custom_hooks, Vi2CLRClusterHook=dict("
        "warmup_epochs=1, interval=1, batch_size=2))",
        {'clusters.epoch': 1}),
}
_names = itertools.count()


class Record(Hook):
    """Every step's losses."""

    def __init__(self):
        self.steps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.steps.append((runner.iter, {k: float(v)
                                         for k, v in outputs.items()}))


def _config(tmp_path, data, family):
    """The family's demo config on 4 tiny videos, batch 2 (2 steps an
    epoch), 2 epochs, a checkpoint each; the loader's workers are the
    config's."""
    base, shrink, hooks, _ = FAMILIES[family]
    with open(osp.join(data, 'demo_unlabelled_list_videos.txt')) as f:
        lines = f.read().split('\n')[:4]
    videos = str(tmp_path / 'videos.txt')
    with open(videos, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return write_config(tmp_path, base, f"""
from mmauxskd.cfg import (config_variable, move_augments,  # noqa
                          update_pipeline, vi2clr_train_pipeline)
train_dataloader = dict(batch_size=2, dataset=dict(
    data_prefix=dict(video={osp.join(data, 'videos')!r}), ann_file={videos!r}))
train_cfg = dict(max_epochs=2)
val_cfg = val_dataloader = val_evaluator = None
param_scheduler = []
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=5,
                                     save_best=None), logger=dict(interval=1))
custom_hooks = {hooks}
""" + shrink)


def _train(monkeypatch, cfg, work, *args):
    """tools/train.py in this process, with a :class:`Record` hook."""
    record, from_cfg = Record(), Runner.from_cfg

    def with_record(cfg):
        runner = from_cfg(cfg)
        runner.register_hook(record)
        return runner

    monkeypatch.setattr(Runner, 'from_cfg', with_record)
    try:
        load_tool('train.py').main([
            cfg, '--work-dir', str(work), *args, '--cfg-options',
            f'experiment_name=exact_resume{next(_names)}'])
    finally:
        monkeypatch.undo()
    return record.steps


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_resume_with_persistent_workers_is_exact(
        family, tiny_data, tmp_path, monkeypatch):
    cfg = _config(tmp_path, tiny_data, family)
    loader = Config.fromfile(cfg).train_dataloader
    assert loader.num_workers >= 1 and loader.persistent_workers
    full, killed = tmp_path / 'full', tmp_path / 'killed'
    steps = _train(monkeypatch, cfg, full)
    assert [i for i, _ in steps] == [0, 1, 2, 3]
    epoch_1_of(str(full), str(killed))
    resumed = _train(monkeypatch, cfg, killed, '--resume')
    assert 'resumed epoch: 1, iter: 2' in _log(str(killed))

    a, b = (torch.load(w / 'epoch_2.pth', weights_only=False)
            for w in (full, killed))
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    assert_same_state(a, b)
    # the resumed steps' losses, as in the uninterrupted run
    assert resumed == steps[2:]
    for key, value in FAMILIES[family][3].items():
        assert int(a['state_dict'][key]) == value, key


# ------------------------------------------------------- worker re-seed --

def _first(batch):
    return batch[0]


class Draws:
    """A pipeline step: one number from each of this process's python,
    numpy and torch generators."""

    def __call__(self, results):
        return dict(index=results['sample_idx'], draws=(
            random.random(), float(np.random.rand()), float(torch.rand(1))))


def _dataset(data):
    from mmauxskd.datasets import RobustVideoDataset
    return RobustVideoDataset(
        ann_file=osp.join(data, 'demo_train_list_videos.txt'),
        data_prefix=dict(video=osp.join(data, 'videos')), pipeline=[Draws()])


def _epochs(dataset, epochs, context='fork', workers=2, seed=5, rank=0):
    """Each epoch's samples in order, from one loader with persistent
    workers, one sample a batch."""
    loader = DataLoader(dataset, batch_size=1, num_workers=workers,
                        persistent_workers=True, collate_fn=_first,
                        multiprocessing_context=context,
                        generator=torch.Generator())
    out = {}
    for epoch in epochs:
        dataset.set_worker_epoch(seed, epoch, rank)
        out[epoch] = list(loader)
    return out


def _expected(seed, epoch, rank, workers=2, n=8):
    """What :func:`seed_worker` makes each worker draw, the samples dealt to
    the workers in turn, computed here (the main process's states kept)."""
    from mmauxskd.datasets.robust import seed_worker
    from mmauxskd.engine.hooks.random_state_hook import (get_rng_states,
                                                         set_rng_states)
    saved, out = get_rng_states(), [None] * n
    for worker in range(workers):
        seed_worker(seed, epoch, rank, worker)
        for i in range(worker, n, workers):
            out[i] = dict(index=i, draws=(random.random(),
                                          float(np.random.rand()),
                                          float(torch.rand(1))))
    set_rng_states(saved)
    return out


def test_persistent_workers_reseed_from_seed_epoch_rank_and_worker_id(
        tiny_data):
    main_state = torch.get_rng_state()
    long_run = _epochs(_dataset(tiny_data), [0, 1, 2])
    # a copy (BaseDataset.get_subset deep-copies) started at epoch 2
    started_late = _epochs(copy.deepcopy(_dataset(tiny_data)), [2])
    assert started_late[2] == long_run[2] == _expected(5, 2, 0)
    assert long_run[0] == _expected(5, 0, 0) != long_run[2]
    other_rank = _epochs(_dataset(tiny_data), [2], rank=1)
    assert other_rank[2] == _expected(5, 2, 1) != long_run[2]
    assert _expected(6, 2, 0) != long_run[2]  # the seed counts
    # the main process's generators are not touched
    assert torch.equal(torch.get_rng_state(), main_state)


def test_spawned_workers_follow_the_epoch(tiny_data):
    """A spawned worker (not forked) sees the epochs set after it started."""
    draws = _epochs(_dataset(tiny_data), [0, 2], 'spawn', workers=1)
    assert draws[2] == _expected(5, 2, 0, workers=1)

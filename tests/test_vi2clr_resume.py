"""Vi²CLR's clusters are the model's buffers: ``--resume`` restores them with
the state dict, checkpoints that kept them in ``meta`` are migrated, and a
``load_from`` without ``--resume`` drops them."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from test_vi2clr_model import _tiny_cfg

NAMES = ('labels', 'centroids', 'phi', 'epoch')


class _Record(Hook):
    """Every step's losses, and the clusters each epoch starts with."""

    priority = 'LOWEST'

    def __init__(self):
        self.losses, self.starts = {}, {}

    def before_train_epoch(self, runner):
        c = runner.model.clusters
        self.starts[runner.epoch] = dict(
            {n: getattr(c, n).clone().cpu() for n in NAMES},
            sampler=runner.train_dataloader.sampler.labels)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses[runner.iter] = {k: v.item() for k, v in outputs.items()}


def _run(tiny_data, tmp_path, work, resume_from=None):
    # epoch 0: instance warm-up (bank); epoch 1: FINCH; epoch 2: not due,
    # trains with epoch 1's clusters
    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path))
    cfg.work_dir = str(tmp_path / work)
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    record = _Record()
    runner.register_hook(record)
    runner.train()
    return runner, record


def _old_format(path, out):
    """``path`` as the earlier versions wrote it: the clusters in
    ``meta['vi2clr_clusters']``, not in the state dict."""
    ckpt = torch.load(path, weights_only=False)
    state = {n: ckpt['state_dict'].pop(f'clusters.{n}') for n in NAMES}
    ckpt['meta']['vi2clr_clusters'] = dict(
        labels=state['labels'], centroids=state['centroids'],
        phi=state['phi'], epoch=int(state['epoch']), bank=False)
    torch.save(ckpt, out)
    return out


def test_resume_restores_the_clusters_from_the_state_dict(tiny_data,
                                                         tmp_path):
    full, full_record = _run(tiny_data, tmp_path, 'full')
    ckpt_path = osp.join(full.work_dir, 'epoch_2.pth')  # after epoch 1
    ckpt = torch.load(ckpt_path, weights_only=False)
    assert 'vi2clr_clusters' not in ckpt['meta']  # the state dict holds them
    saved = {n: ckpt['state_dict'][f'clusters.{n}'] for n in NAMES}
    assert int(saved['epoch']) == 1 and len(saved['labels']) == 8
    assert saved['centroids'].shape == (len(saved['phi']), 128)
    epoch2 = full_record.starts[2]
    for n in NAMES:
        assert torch.equal(epoch2[n], saved[n]), n

    old = _old_format(ckpt_path, str(tmp_path / 'old_format.pth'))
    for work, path in (('resumed', ckpt_path), ('migrated', old)):
        resumed, record = _run(tiny_data, tmp_path, work, resume_from=path)
        assert sorted(record.starts) == [2]  # killed after epoch 1
        start = record.starts[2]
        for n in NAMES:
            assert torch.equal(start[n], saved[n]), (work, n)
        assert torch.equal(start['sampler'], saved['labels'])
        # the next step (the first of epoch 2) and the rest, as unbroken
        assert record.losses[4] == full_record.losses[4], work
        assert record.losses[4]['loss_center_nce'] > 0
        assert record.losses == {k: v for k, v in full_record.losses.items()
                                 if k >= 4}
        # a migrated run saves its clusters in the state dict
        again = torch.load(osp.join(resumed.work_dir, 'epoch_3.pth'),
                           weights_only=False)
        assert 'vi2clr_clusters' not in again['meta']
        assert torch.equal(again['state_dict']['clusters.labels'],
                           saved['labels'])


def test_load_from_without_resume_drops_the_clusters(tiny_data, tmp_path):
    # weights only: the checkpoint's clusters index another run's dataset
    # order (the old code never restored them without --resume either)
    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path, """
custom_hooks = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1],
    warmup_epochs=0, interval=1, batch_size=4)]
train_cfg = dict(max_epochs=1)
"""))
    cfg.work_dir = str(tmp_path / 'source')
    source = Runner.from_cfg(cfg)
    source.train()
    ckpt = osp.join(cfg.work_dir, 'epoch_1.pth')
    assert torch.load(ckpt, weights_only=False)['state_dict'][
        'clusters.labels'].numel() == 8

    for resume in (False, True):
        cfg.work_dir = str(tmp_path / f'resume_{resume}')
        cfg.load_from, cfg.resume = ckpt, resume
        runner = Runner.from_cfg(cfg)
        runner.load_or_resume()
        assert runner.model.clusters.assigned  # loaded with the weights
        hook = next(h for h in runner.hooks
                    if type(h).__name__ == 'Vi2CLRClusterHook')
        hook.before_train(runner)
        assert runner.model.clusters.assigned == resume
        sampler = runner.train_dataloader.sampler.labels
        assert (sampler is not None) == resume


@pytest.mark.parametrize('saved', [(5, 3), (0, 0)])
def test_loading_resizes_the_cluster_buffers(saved):
    from mmauxskd.models.utils.cluster_state import ClusterState
    source, target = ClusterState(), ClusterState()
    target.set(torch.arange(9) % 4, torch.randn(4, 2), torch.rand(4), 7)
    if saved[0]:
        source.set(torch.arange(saved[0]) % 2, torch.randn(2, saved[1]),
                   torch.rand(2), epoch=3)
    target.load_state_dict(source.state_dict())
    for n in NAMES:
        assert torch.equal(getattr(target, n), getattr(source, n)), n
    # the warm-up bank is not saved; a state dict without clusters (written
    # before they were buffers) loads as none
    source.set(torch.arange(4), torch.randn(4, 2), torch.rand(4), 1,
               transient=True)
    assert source.state_dict()['labels'].numel() == 0
    assert int(source.state_dict()['epoch']) == -1
    assert source.labels.numel() == 4
    target.load_state_dict({}, strict=True)
    assert not target.assigned and int(target.epoch) == -1

"""TakeOffHook: the full lr is held while the watched loss is at chance, up
to a cap; a run whose task left chance in time is not changed; ``--resume``
in the middle of a hold continues the same run; every rank decides the
same."""
import math
import os
import shutil

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmauxskd  # noqa: F401  (registers the hook)
from mmauxskd.cfg import iter_schedule, take_off
from mmauxskd.engine.hooks import TakeOffHook
from conftest import free_port

CHANCE = math.log(4)
LR = 0.1


class Steps(Dataset):
    def __len__(self):
        return 4  # 2 steps an epoch at batch 2

    def __getitem__(self, index):
        return dict(inputs=index)


class Plateau(BaseModel):
    """A loss at ln 4 for its first ``take_off`` steps, then 0.3; counts
    its steps in a buffer (checkpoints carry it)."""

    def __init__(self, take_off=None):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
        self.register_buffer('steps', torch.zeros((), dtype=torch.long))
        self.take_off = take_off

    def forward(self, inputs, data_samples=None, mode='loss'):
        left = self.take_off is not None and int(self.steps) >= self.take_off
        self.steps += 1
        value = 0.3 if left else CHANCE
        return dict(loss_segment=(self.w * 0).sum() + value)


class LrLog(Hook):
    def __init__(self):
        self.lrs = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append((runner.iter, runner.optim_wrapper.get_lr()['lr'][0]))


def _run(work, take_off_at, hook=True, cap=20, resume=False):
    # 12 steps, 2 an epoch: warm-up 1 epoch, full lr until step 6, then a
    # cosine over 6 steps
    train_cfg, scheduler, log_processor, default_hooks = iter_schedule(
        12, iters_per_epoch=2, flat_ratio=0.5)
    default_hooks['checkpoint'].update(type='CheckpointHook', interval=1,
                                       max_keep_ckpts=20)
    default_hooks['logger'].update(type='LoggerHook')
    lrs = LrLog()
    runner = Runner(
        model=Plateau(take_off_at), work_dir=str(work),
        train_dataloader=dict(
            dataset=Steps(), batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=LR)),
        train_cfg=train_cfg, param_scheduler=scheduler,
        default_hooks=default_hooks, log_processor=log_processor,
        custom_hooks=[take_off('loss_segment', 4, max_iters=cap, window=2)]
        if hook else [],
        resume=resume, default_scope='mmaction',
        experiment_name=f'take_off_{os.path.basename(work)}')
    runner.register_hook(lrs)
    runner.train()
    return runner, lrs.lrs


def _flat(lrs, begin, end):
    return [lr for i, lr in lrs if begin <= i < end]


def test_a_task_that_left_chance_in_time_changes_nothing(tmp_path):
    runner, lrs = _run(tmp_path / 'early', take_off_at=2)
    _, plain = _run(tmp_path / 'plain', take_off_at=2, hook=False)
    assert runner.iter == 12 and lrs == plain


def test_the_full_lr_is_held_until_the_loss_leaves_chance(tmp_path):
    # the loss leaves chance at step 9; the window (2 steps) sees it by the
    # end of step 9, so the decay starts at step 10 instead of 6
    runner, lrs = _run(tmp_path / 'late', take_off_at=9)
    assert runner.iter == 16 and runner.train_loop.max_epochs == 8
    assert _flat(lrs, 2, 10) == [pytest.approx(LR)] * 8
    decay = _flat(lrs, 10, 16)
    assert decay[1] < LR and decay == sorted(decay, reverse=True)
    # the decay is the configured one, moved by 4 steps
    _, plain = _run(tmp_path / 'plain', take_off_at=None, hook=False)
    assert decay == pytest.approx(_flat(plain, 6, 12))
    hook = next(h for h in runner.hooks if isinstance(h, TakeOffHook))
    assert hook.extended_epochs == 2


def test_a_task_that_never_leaves_chance_stops_at_the_cap(tmp_path):
    runner, lrs = _run(tmp_path / 'never', take_off_at=None, cap=20)
    assert runner.iter == 20
    assert _flat(lrs, 2, 14) == [pytest.approx(LR)] * 12
    assert len(_flat(lrs, 14, 20)) == 6 and _flat(lrs, 14, 20)[1] < LR
    log = open(os.path.join(runner.log_dir, os.path.basename(runner.log_dir)
                            + '.log')).read()
    assert 'still at chance' in log and 'at its cap of 20 steps' in log


def test_resume_in_the_middle_of_a_hold_continues_the_same_run(tmp_path):
    full, lrs = _run(tmp_path / 'full', take_off_at=13, cap=40)
    assert full.iter == 20  # decay from step 14
    killed = tmp_path / 'killed'
    os.makedirs(killed)
    # epoch 5 ends at step 10: the hold had moved the decay by 2 epochs
    shutil.copy(tmp_path / 'full' / 'epoch_5.pth', killed)
    with open(killed / 'last_checkpoint', 'w') as f:
        f.write(str(killed / 'epoch_5.pth'))
    resumed, rest = _run(killed, take_off_at=13, cap=40, resume=True)
    assert resumed.iter == 20 and resumed.train_loop.max_epochs == 10
    assert rest == lrs[10:]
    a, b = (torch.load(w / 'epoch_10.pth', weights_only=False)
            for w in (tmp_path / 'full', killed))
    assert a['meta']['take_off'] == b['meta']['take_off']
    assert a['meta']['take_off']['extended_epochs'] == 4


@pytest.mark.parametrize('kwargs, key', [
    (dict(loss='', chance=1.0, max_iters=10), 'loss'),
    (dict(loss='loss_segment', chance=0, max_iters=10), 'chance'),
    (dict(loss='loss_segment', chance=1.0, max_iters=10, margin=2.0),
     'margin'),
    (dict(loss='loss_segment', chance=1.0, max_iters=10, window=0),
     'window'),
    (dict(loss='loss_segment', chance=1.0, max_iters=0), 'max_iters'),
])
def test_bad_arguments_fail_at_build_naming_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        TakeOffHook(**kwargs)
    with pytest.raises(ValueError, match='num_classes'):
        take_off('loss_segment', 1, max_iters=10)


def test_a_loss_the_model_does_not_log_fails_naming_the_key(tmp_path,
                                                            monkeypatch):
    monkeypatch.setattr(Plateau, 'forward', lambda self, inputs,
                        data_samples=None, mode='loss': dict(
                            loss_pace=(self.w * 0).sum() + CHANCE))
    with pytest.raises(KeyError, match="'loss_segment' is not among the "
                       "model's losses \\(loss, loss_pace\\)"):
        _run(tmp_path / 'key', take_off_at=None)


def test_a_run_longer_than_the_cap_or_without_decay_is_left_alone(
        tmp_path):
    runner, lrs = _run(tmp_path / 'cap', take_off_at=None, cap=8)
    _, plain = _run(tmp_path / 'plain', take_off_at=None, hook=False)
    assert runner.iter == 12 and lrs == plain
    log = open(os.path.join(runner.log_dir, os.path.basename(runner.log_dir)
                            + '.log')).read()
    assert 'reach its cap of 8; nothing to hold' in log


def _rank(rank, port, values, out):
    torch_dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:'
                                  f'{port}', rank=rank, world_size=2)
    hook = TakeOffHook('loss_segment', CHANCE, max_iters=100, window=2)
    hook.recent.extend(values[rank])
    out[rank] = hook._still_at_chance()
    torch_dist.destroy_process_group()


def test_ranks_decide_on_the_mean_over_ranks():
    # rank 0 has left chance on its own, rank 1 has not; the mean over both
    # (0.84) has: both ranks must decide the same
    out = mp.Manager().dict()
    values = {0: [0.3, 0.3], 1: [CHANCE, CHANCE]}
    mp.spawn(_rank, args=(free_port(), values, out), nprocs=2)
    assert out[0] == out[1]
    assert out[0][0] is False
    assert out[0][1] == pytest.approx((0.3 + CHANCE) / 2)

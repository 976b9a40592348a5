"""auxSKD end to end: 2 CPU processes agree (exact resume:
test_exact_resume.py).

The demo config (configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py) on the tiny demo data,
with a tiny backbone (8 base channels), batch 2 and a queue of 5 anchors
(neither the per-rank nor the total batch divides it).
"""
import os
import os.path as osp

import torch

from conftest import ROOT, free_port, run_tool, write_config
from test_dist_resume import _log

DEMO = 'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'
QUEUE = 5
# state-dict keys of the teacher and the memory bank (a MomentumContrast)
TEACHER = 'momentum_contrast.encoder.'
STEPS, QUEUE_KEYS = TEACHER + 'steps', 'momentum_contrast.queue.'

DUMP_HOOK = '''
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmaction.registry import HOOKS


@HOOKS.register_module()
class DumpStateHook(Hook):
    """Every rank saves its model state after the last iteration (before
    SyncBuffersHook averages the buffers at the end of the epoch) and at
    the end of training."""

    def _save(self, runner, name):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        torch.save(model.state_dict(), osp.join(
            runner.work_dir, f'{name}_rank{get_rank()}.pth'))

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == runner.max_iters:
            self._save(runner, 'last_iter')

    def after_train(self, runner):
        self._save(runner, 'end')
'''


def tiny_body(data, epochs=2, extra_hooks=()):
    hooks = ', '.join(f'dict(type={h!r})' for h in extra_hooks)
    return f'''
train_dataloader = dict(
    batch_size=2, num_workers=1, persistent_workers=False,
    dataset=dict(
        data_prefix=dict(video={osp.join(data, "videos")!r}),
        ann_file={osp.join(data, "demo_unlabelled_list_videos.txt")!r}))
model = dict(queue_size={QUEUE}, backbone=dict(base_channels=8),
             neck=dict(in_channels=64))
train_cfg = dict(max_epochs={epochs})
default_hooks = dict(checkpoint=dict(max_keep_ckpts=5, interval=1),
                     logger=dict(interval=1))
custom_imports = dict(imports=['mmauxskd', 'auxskd_test_hooks'])
custom_hooks = _base_.custom_hooks + [{hooks}]
val_cfg = val_dataloader = val_evaluator = None
'''


def _setup(tmp_path):
    with open(tmp_path / 'auxskd_test_hooks.py', 'w') as f:
        f.write(DUMP_HOOK)
    # the checkout under test first, not an installed mmauxskd
    return dict(PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))


def test_two_processes_hold_the_same_teacher_and_queue(tiny_data, tmp_path):
    env = _setup(tmp_path)
    cfg = write_config(tmp_path, DEMO, tiny_body(
        tiny_data, extra_hooks=['DumpStateHook']))
    work = str(tmp_path / 'work')
    env['PORT'] = str(free_port())
    run_tool(['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', work],
             env=env)
    log = _log(work)
    assert 'Distributed training: True' in log
    assert 'Epoch(train) [2][2/2]' in log  # 8 videos / (2 ranks x 2)
    # after the last iteration: parameters (student by DDP, teacher by the
    # EMA of the same student) and the queue (all-gathered) agree; BN
    # statistics are per rank until SyncBuffersHook averages them
    ranks = [torch.load(osp.join(work, f'last_iter_rank{r}.pth'))
             for r in (0, 1)]
    agree = [k for k in ranks[0] if k.startswith(QUEUE_KEYS) or
             k == STEPS or not k.rsplit('.', 1)[-1].startswith(
                 ('running_', 'num_batches'))]
    assert len(agree) > 100
    for key in agree:
        assert torch.equal(ranks[0][key], ranks[1][key]), key
    # at the end of the run everything agrees
    ranks = [torch.load(osp.join(work, f'end_rank{r}.pth')) for r in (0, 1)]
    for key, value in ranks[0].items():
        assert torch.equal(value, ranks[1][key]), key
    state = ranks[0]
    # 4 iterations x (2 ranks x 2 clips) gathered into every rank's queue
    assert int(state[QUEUE_KEYS + 'ptr']) == 4 * 4 % QUEUE
    assert int(state[STEPS]) == 4
    assert torch.allclose(state[QUEUE_KEYS + 'bank'].norm(dim=1),
                          torch.ones(QUEUE))
    # the teacher moved away from its start but is not the student
    assert not torch.equal(state[TEACHER + 'module.1.mlp.0.weight'],
                           state['neck.mlp.0.weight'])

"""MLFO on the Runner: a killed run resumes exactly (prototypes, score
queue, stage, Adam state); tools/dist_train.sh runs the K-400 config on 2
CPU processes with a demo-sized override."""
import os.path as osp

import torch

from conftest import write_config
from train_runs import dist_train, full_and_resumed, load_checkpoints
from test_dist_resume import _log
from test_mlfo_train import DEMO, _setup, tiny_body

K400 = 'configs/mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py'


def test_killed_run_resumes_exactly(tiny_data, tmp_path):
    full, killed = full_and_resumed(
        tmp_path, DEMO, tiny_body(tiny_data, batch=4),
        tiny_body(tiny_data, extra_hooks=['CrashHook'], batch=4),
        _setup(tmp_path))
    assert 'resumed epoch: 1, iter: 2' in _log(killed)
    a, b = load_checkpoints(full, killed, 'epoch_2.pth')
    keys = a['state_dict'].keys()
    assert {'semantic_head.prototypes', 'semantic_head.queue.bank',
            'semantic_head.queue_filled', 'epoch'} <= keys
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for x, y in zip(a['optimizer']['state'].values(),
                    b['optimizer']['state'].values()):
        assert torch.equal(x['exp_avg'], y['exp_avg'])
        assert torch.equal(x['exp_avg_sq'], y['exp_avg_sq'])
    # stage 2 and the queue were reached in epoch 2; 4 steps x 2 views x 4
    assert int(a['state_dict']['epoch']) == 1
    assert int(a['state_dict']['semantic_head.queue_filled']) == 4 * 2 * 4


def test_dist_train_k400_config_on_two_cpu_processes(tiny_data, tmp_path):
    env = _setup(tmp_path)
    body = tiny_body(tiny_data, 1) + '''
from mmauxskd.cfg import mlfo_transforms  # noqa: E402
sync_bn = None  # SyncBN needs GPUs
model = dict(backbone=dict(base_channels=8),
             levels=dict(low=16, mid=32, high=64),
             semantic_neck=dict(in_channels=64, hid_channels=64))
train_pipeline = [dict(type='PyAVSeekInit'), dict(
    type='ViewsOfOneDraw', sampler=dict(type='MLFOWindowSampler'),
    transforms=[dict(type='Resize', scale=(-1, 40))] + mlfo_transforms(32)),
    dict(type='PackActionInputs')]
train_dataloader['dataset']['pipeline'] = train_pipeline
'''
    work, log = dist_train(tmp_path, write_config(tmp_path, K400, body), env)
    assert 'Distributed training: True' in log
    assert 'Epoch(train) [1][2/2]' in log  # 8 videos / (2 ranks x 2)
    assert osp.exists(osp.join(work, 'epoch_1.pth'))

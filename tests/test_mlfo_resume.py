"""MLFO on the Runner: tools/dist_train.sh runs the K-400 config on 2 CPU
processes with a demo-sized override. (A resumed run's prototypes, score
queue, stage and Adam state: test_exact_resume.py.)"""
import os.path as osp

from conftest import write_config
from train_runs import dist_train
from test_mlfo_train import _setup, tiny_body

K400 = 'configs/mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py'


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

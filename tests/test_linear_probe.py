"""Linear probe: training moves only the classifier; the test reports clip
and video accuracy."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import ROOT, write_config

PROBES = sorted(glob.glob(osp.join(ROOT, 'configs', 'linear_probe', '*.py')))


def _tiny_probe(tmp_path, data):
    base = ('configs/linear_probe/'
            'linear_r2plus1d-r10-w8_1xb8-16x1x1-200it_demo-rgb.py')
    body = f"""
from mmauxskd.cfg import update_pipeline
_loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
_prefix = dict(video={osp.join(data, 'videos')!r})
train_dataloader = dict(dataset=dict(
    ann_file={osp.join(data, 'demo_train_list_videos.txt')!r},
    data_prefix=_prefix), **_loader)
test_dataloader = dict(dataset=dict(
    ann_file={osp.join(data, 'demo_test_list_videos.txt')!r},
    data_prefix=_prefix, pipeline=update_pipeline(
        _base_.test_pipeline, SampleFrames=dict(num_clips=3, clip_len=8))),
    **_loader)
train_cfg = dict(max_epochs=1)
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
"""
    cfg = Config.fromfile(write_config(tmp_path, base, body))
    cfg.work_dir = str(tmp_path / 'work')
    return cfg


def test_probe_trains_only_the_classifier_and_reports_clip_accuracy(
        tiny_data, tmp_path):
    runner = Runner.from_cfg(_tiny_probe(tmp_path, tiny_data))
    model = runner.model
    model.init_weights()  # as runner.train() would (it is done only once)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    runner.train()
    assert runner.iter == 4  # 8 videos, batch 2
    after = model.state_dict()
    backbone = [k for k in before if k.startswith('backbone.')]
    # weights and BatchNorm statistics (running mean/var, batch count)
    assert any('running_mean' in k for k in backbone)
    changed = [k for k in backbone if not torch.equal(before[k], after[k])]
    assert changed == []
    assert not torch.equal(before['cls_head.fc_cls.weight'],
                           after['cls_head.fc_cls.weight'])
    assert all(not p.requires_grad for p in model.backbone.parameters())

    metrics = runner.test()
    for key in ('acc/top1', 'acc/clip_top1', 'acc/video_top1_prob',
                'acc/video_top1_score'):
        assert 0.0 <= metrics[key] <= 1.0


@pytest.mark.parametrize('path', PROBES,
                         ids=[osp.basename(p) for p in PROBES])
def test_probe_configs_freeze_the_backbone(path):
    cfg = Config.fromfile(path)
    assert cfg.model.backbone.frozen_stages == 4
    assert cfg.model.backbone.norm_eval is True
    assert cfg.test_evaluator.type == 'ClipVideoAccMetric'
    assert 'ClipScoresHook' in [h['type'] for h in cfg.custom_hooks]

"""The paper's 10-clip test through tools/test.py, against a hand computation.

10 clips sampled uniformly from each real encoded video, centre crop,
softmax averaged over the clips; top-1 from the averaged scores.
"""
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmaction.registry import MODELS

from conftest import demo_overrides, run_tool, write_config

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'


def test_ten_clip_protocol_matches_hand_computation(tiny_data, tmp_path):
    cfg_path = write_config(tmp_path, DEMO, demo_overrides(tiny_data))
    cfg = Config.fromfile(cfg_path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    ckpt = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)

    # by hand: every clip through backbone + head, softmax, mean over clips
    test = cfg.test_dataloader.dataset
    pipeline = Compose(test.pipeline)
    scores, labels = [], []
    with open(test.ann_file) as f:
        for line in f.read().split():
            if line.endswith('.mp4'):
                path = osp.join(test.data_prefix.video, line)
                continue
            label = int(line)
            data = pipeline(dict(filename=path, label=label, start_index=0,
                                 modality='RGB'))
            assert data['inputs'].shape[:2] == (10, 3)  # 10 clips, RGB
            assert data['inputs'].shape[2] == 16  # clip length
            with torch.no_grad():
                batch = model.data_preprocessor(
                    dict(inputs=[data['inputs']],
                         data_samples=[data['data_samples']]))
                clips = batch['inputs'].flatten(0, 1)  # (10, 3, 16, 32, 32)
                logits = model.cls_head(model.backbone(clips))
            scores.append(logits.softmax(-1).mean(0).numpy())
            labels.append(label)
    scores = np.stack(scores)
    top1 = float((scores.argmax(1) == np.array(labels)).mean())

    dump = str(tmp_path / 'preds.pkl')
    proc = run_tool([
        'tools/test.py', cfg_path, ckpt, '--work-dir',
        str(tmp_path / 'work'), '--dump', dump
    ])
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    reported = np.stack([p['pred_score'].numpy() for p in preds])
    np.testing.assert_allclose(reported, scores, rtol=1e-4, atol=1e-5)
    line = [ln for ln in proc.stdout.splitlines() if 'acc/top1' in ln][-1]
    value = float(line.split('acc/top1:')[1].split()[0])
    assert abs(value - top1) < 1e-4

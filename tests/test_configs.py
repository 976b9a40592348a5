"""Every config under configs/ builds and runs one training step, tiny.

The configs are loaded as users load them; only data paths, batch size,
workers and frame size are overridden (64x64 demo videos, crops of 32).
"""
import glob
import math
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import EpochBasedTrainLoop, Runner

from conftest import ROOT
from mmauxskd.datasets.robust import robust_datasets
from mmauxskd.engine.hooks import RandomStateHook

CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def _shrink(obj):
    """Frame-size changes only, wherever a transform sits (nested too)."""
    if isinstance(obj, list):
        return [_shrink(o) for o in obj]
    if not isinstance(obj, dict):
        return obj
    obj = {k: _shrink(v) for k, v in obj.items()}
    kind = obj.get('type')
    if kind == 'Resize':
        fixed = not obj.get('keep_ratio', True) or -1 not in tuple(
            obj.get('scale', (-1, )))
        obj['scale'] = (32, 32) if fixed else (-1, 40)
    elif kind == 'RandomCrop':
        obj['size'] = 32
    elif kind in ('CenterCrop', 'ThreeCrop', 'TenCrop'):
        obj['crop_size'] = 32
    return obj


def _dataset(loader):
    dataset = loader['dataset']
    while 'ann_file' not in dataset and 'dataset' in dataset:
        if 'times' in dataset:  # RepeatDataset: one pass is enough here
            dataset['times'] = 1
        dataset = dataset['dataset']
    return dataset


def _tiny_images(dataset, work_dir, split):
    """Two 48x64 JPEG images listed for an image dataset (ImageNet / VOC
    probes): ``name label`` or, multi-label, ``name label label``."""
    import cv2
    import numpy as np
    rng = np.random.default_rng(0)
    lines = []
    for i in range(2):
        name = f'{split}_{i}.jpg'
        cv2.imwrite(osp.join(work_dir, name),
                    rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
        lines.append(f'{name} {i} {i + 2}' if dataset.get('multi_class')
                     else f'{name} {i}')
    ann = osp.join(work_dir, f'{split}_images.txt')
    with open(ann, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    dataset['ann_file'] = ann
    dataset['data_prefix'] = {'video': work_dir}


def tiny(cfg, data, work_dir, n_train=2):
    """Point ``cfg``'s loaders at the tiny demo data (in place)."""
    labelled = cfg.model.get('type') in ('Recognizer3D', 'Recognizer2D')
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        dataset = _dataset(loader)
        if 'datasets' in dataset:  # pretext_val's ConcatDataset: one of it
            loader['dataset'] = dataset = dataset['datasets'][0]
        if dataset['pipeline'][0]['type'] == 'LoadImageAsClip':
            _tiny_images(dataset, work_dir, split)
            dataset['pipeline'] = _shrink(dataset['pipeline'])
            loader.update(batch_size=2, num_workers=0,
                          persistent_workers=False)
            continue
        frames = 'Rawframe' in str(dataset.get('type'))
        kind = 'rawframes' if frames else 'videos'
        name = 'test' if split != 'train' else (
            'train' if labelled else 'unlabelled')
        with open(osp.join(data, f'demo_{name}_list_{kind}.txt')) as f:
            lines = f.read().split('\n')[:n_train if split == 'train' else 2]
        ann = osp.join(work_dir, f'{split}_{kind}.txt')
        with open(ann, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        dataset['ann_file'] = ann
        dataset['data_prefix'] = {('img' if frames else 'video'):
                                  osp.join(data, kind)}
        dataset['pipeline'] = _shrink(dataset['pipeline'])
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.work_dir = work_dir
    cfg.default_hooks.checkpoint = None
    return cfg


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, ROOT) for p in CONFIGS])
def test_config_builds_and_trains_one_step(path, tiny_data, tmp_path):
    cfg = tiny(Config.fromfile(path), tiny_data, str(tmp_path))
    if not cfg.get('train_cfg'):  # evaluation-only configs
        runner = Runner.from_cfg(cfg)
        batch = next(iter(runner.test_dataloader))
        assert batch['inputs']
        return
    cfg.train_cfg.update(max_epochs=1) if 'max_epochs' in cfg.train_cfg \
        else cfg.train_cfg.update(max_iters=1)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    # what exact --resume with persistent workers rests on
    # (tests/test_exact_resume.py): RandomStateHook, epochs, robust data
    assert isinstance(runner.train_loop, EpochBasedTrainLoop)
    assert any(isinstance(h, RandomStateHook) for h in runner.hooks)
    assert list(robust_datasets(runner.train_dataloader.dataset))
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert math.isfinite(loss)


def test_config_folders_follow_the_layout():
    names = {osp.relpath(p, osp.join(ROOT, 'configs')).split(osp.sep)[0]
             for p in CONFIGS}
    assert 'finetune' in names
    for base in ('default_runtime.py', 'models', 'schedules', 'datasets'):
        assert osp.exists(osp.join(ROOT, 'configs', '_base_', base))

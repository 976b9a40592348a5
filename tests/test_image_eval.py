"""Image-side probes: images read as one-frame clips, the ImageNet / VOC07
probes train and evaluate, VOC lists; each Vi2CLR recipe's 2D encoder fits
the image_eval configs of its depth."""
import functools
import glob
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from conftest import ROOT, load_tool, write_config
from mmaction.registry import MODELS, TRANSFORMS
from mmengine.config import Config
from mmengine.runner import Runner

IMAGE_EVAL = 'configs/vi2clr/image_eval/'
IMAGENET = IMAGE_EVAL + 'linear_resnet50_8xb32-100e_imagenet.py'
VOC = IMAGE_EVAL + 'linear_resnet50_8xb32-100e_voc07.py'
RECIPES = {  # Vi2CLR recipe -> the depth of its ResNet image encoder
    'configs/vi2clr/vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py': 18,
    'configs/vi2clr/vi2clr_r2plus1d-r10_2xb16-16x112-50e_ucf101-split1-rgb.py':
    18,
    'configs/vi2clr/vi2clr_r3d-18_8xb64-32x128-300e_k400-rgb.py': 50,
}


def _image(path, seed, grey=False):
    rng = np.random.default_rng(seed)
    shape = (40, 56) if grey else (40, 56, 3)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    cv2.imwrite(path, img)
    return img


def test_load_image_as_clip_gives_one_rgb_frame(tmp_path):
    path = str(tmp_path / 'a.png')
    bgr = _image(path, 0)
    load = TRANSFORMS.build(dict(type='LoadImageAsClip'))
    out = load(dict(filename=path))
    assert len(out['imgs']) == 1 and out['num_clips'] == out['clip_len'] == 1
    assert np.array_equal(out['imgs'][0], bgr[..., ::-1])  # RGB
    assert out['img_shape'] == out['original_shape'] == (40, 56)
    grey = str(tmp_path / 'g.png')
    _image(grey, 1, grey=True)
    assert load(dict(filename=grey))['imgs'][0].shape == (40, 56, 3)
    empty = tmp_path / 'broken.jpg'
    empty.write_bytes(b'')
    with pytest.raises(Exception):
        load(dict(filename=str(empty)))


def _probe_cfg(tmp_path, base, root, train_list, test_list):
    """The probe with a ResNet-18 at 64x64 and tiny loaders."""
    return Config.fromfile(write_config(tmp_path, base, f"""
model = dict(backbone=dict(depth=18), cls_head=dict(in_channels=512))
from mmauxskd.cfg import update_pipeline
_train = update_pipeline(_base_.train_pipeline, Resize=dict(scale=(64, 64)))
_test = update_pipeline(_base_.test_pipeline, **{{
    k: v for k, v in dict(Resize=dict(scale=(64, 64), keep_ratio=False),
                          CenterCrop=dict(crop_size=64)).items()
    if any(t['type'] == k for t in _base_.test_pipeline)}})
_loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(_loader, dataset=dict(ann_file={train_list!r},
    data_prefix=dict(video={root!r}), pipeline=_train))
val_dataloader = dict(_loader, dataset=dict(ann_file={test_list!r},
    data_prefix=dict(video={root!r}), pipeline=_test))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
work_dir = {str(tmp_path / 'work')!r}
randomness = dict(seed=0)
""", name=osp.basename(base)))


def _train_probe(cfg, tmp_path):
    """Train and test from a saved encoder (as ``--pretrained`` does);
    the names of the tensors that training changed."""
    from mmaction.registry import MODELS
    torch.manual_seed(1)
    start = MODELS.build(cfg.model)
    start.init_weights()
    ckpt = str(tmp_path / 'start.pth')
    torch.save(dict(state_dict=start.state_dict()), ckpt)
    cfg.load_from = ckpt
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    after = runner.model.state_dict()
    changed = {k for k, v in start.state_dict().items()
               if not torch.equal(v, after[k])}
    return metrics, changed


def test_imagenet_probe_trains_only_the_classifier(tmp_path):
    # mmpretrain's layout: train/<wnid>/<file>, val/<file>, meta/*.txt
    root = tmp_path / 'imagenet'
    lines = {'train': [], 'val': []}
    for label, wnid in enumerate(('n01', 'n02')):
        os.makedirs(root / 'train' / wnid)
        for i in range(2):
            _image(str(root / 'train' / wnid / f'{i}.JPEG'), 10 * label + i)
            lines['train'].append(f'{wnid}/{i}.JPEG {label}')
    os.makedirs(root / 'val')
    for i in range(2):
        _image(str(root / 'val' / f'v{i}.JPEG'), 100 + i)
        lines['val'].append(f'v{i}.JPEG {i}')
    os.makedirs(root / 'meta')
    for split, rows in lines.items():
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(rows) + '\n')
    cfg = _probe_cfg(tmp_path, IMAGENET, str(root / 'train'),
                     str(root / 'meta' / 'train.txt'),
                     str(root / 'meta' / 'train.txt'))
    cfg.model.cls_head.num_classes = 2
    cfg.val_evaluator = cfg.test_evaluator = dict(
        type='AccMetric', metric_list=('top_k_accuracy', ),
        metric_options=dict(top_k_accuracy=dict(topk=(1, ))))
    metrics, changed = _train_probe(cfg, tmp_path)
    assert 0 <= metrics['acc/top1'] <= 1
    # the frozen encoder (weights and BN statistics) stays as loaded
    assert changed and all(k.startswith('cls_head.') for k in changed)
    # the full-size config points at the val folder for its val list
    real = Config.fromfile(osp.join(ROOT, IMAGENET))
    assert real.val_dataloader.dataset.data_prefix.video.endswith('val')
    assert real.val_dataloader.dataset.ann_file.endswith('meta/val.txt')


def test_voc07_lists_and_multilabel_probe(tmp_path):
    tool = load_tool('data/voc07_lists.py')
    main = tmp_path / 'VOCdevkit' / 'VOC2007' / 'ImageSets' / 'Main'
    images = tmp_path / 'VOCdevkit' / 'VOC2007' / 'JPEGImages'
    os.makedirs(main)
    os.makedirs(images)
    # image 000001: dog (11) and person (14, difficult); 000002: cat (7);
    # 000003: car (6) and person (14)
    present = {'000001': {11: 1, 14: 0}, '000002': {7: 1},
               '000003': {6: 1, 14: 1}}
    for split in ('trainval', 'test'):
        for index, name in enumerate(tool.CLASSES):
            rows = [f'{image} {classes.get(index, -1)}'
                    for image, classes in present.items()]
            (main / f'{name}_{split}.txt').write_text('\n'.join(rows) + '\n')
    for seed, image in enumerate(present):
        _image(str(images / f'{image}.jpg'), seed)
    tool.main([str(tmp_path / 'VOCdevkit'), '--out', str(tmp_path)])
    listed = (tmp_path / 'voc07_trainval_list.txt').read_text().split('\n')
    assert listed[:3] == ['000001.jpg 11 14', '000002.jpg 7',
                          '000003.jpg 6 14']
    cfg = _probe_cfg(tmp_path, VOC, str(images),
                     str(tmp_path / 'voc07_trainval_list.txt'),
                     str(tmp_path / 'voc07_test_list.txt'))
    metrics, changed = _train_probe(cfg, tmp_path)
    assert 0 <= metrics['acc/mean_average_precision'] <= 1
    assert changed and all(k.startswith('cls_head.') for k in changed)
    with pytest.raises(FileNotFoundError, match='VOCdevkit'):
        tool.main([str(tmp_path / 'nowhere')])


@functools.lru_cache(maxsize=None)
def _meta_state(path, part=None):
    """The state dict of the config's model (or of its submodule ``part``),
    tensors with their shapes only (no memory, no initialisation)."""
    with torch.device('meta'):
        model = MODELS.build(Config.fromfile(osp.join(ROOT, path)).model)
    return (getattr(model, part) if part else model).state_dict()


@pytest.mark.parametrize('recipe', sorted(RECIPES))
def test_each_recipes_image_encoder_fits_the_image_eval_configs_of_its_depth(
        recipe):
    """What ``--pretrained CKPT --pretrained-prefix image_backbone.`` hands
    an image_eval config (the recipe's image_backbone.* as backbone.*) fits
    every ``*_resnet<depth>*`` config of the recipe's depth, names and
    shapes, and is refused by the others (CheckpointFitHook's check)."""
    from mmauxskd.utils.checkpoint import (CheckpointMismatchError,
                                           check_state_dict_fits)
    depth = RECIPES[recipe]
    encoder = _meta_state(recipe, 'image_backbone')
    ckpt = {f'backbone.{k}': v for k, v in encoder.items()}
    configs = sorted(osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, IMAGE_EVAL, '*.py')))
    fitting = [c for c in configs if f'_resnet{depth}' in c]
    assert len(fitting) >= 4 and len(configs) > len(fitting)
    for config in configs:
        state = _meta_state(config)
        if config in fitting:
            fit = check_state_dict_fits(state, ckpt, recipe, 'backbone.')
            assert fit['matched'] == len(encoder), config
        else:
            with pytest.raises(CheckpointMismatchError, match='another shape'):
                check_state_dict_fits(state, ckpt, recipe, 'backbone.')

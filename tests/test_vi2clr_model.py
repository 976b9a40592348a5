"""Vi²CLR's model, configs and image-side evaluation on tiny data."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from conftest import ROOT, load_tool, write_config
from mmauxskd.utils.checkpoint import extract_submodule

DEMO = 'configs/vi2clr/vi2clr_r2plus1d-r10-w8_1xb16-16x32-1200it_demo-rgb.py'
FINETUNE = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'
IMAGE = ('configs/vi2clr/image_eval/'
         'linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py')
KNN = 'configs/vi2clr/image_eval/knn_resnet50-midframe_ucf101-split1-rgb.py'


def _samples(indices):
    out = []
    for i in indices:
        s = ActionDataSample()
        s.set_metainfo(dict(sample_idx=int(i)))
        out.append(s)
    return out


@pytest.mark.parametrize('path', sorted(
    glob.glob(osp.join(ROOT, 'configs', 'vi2clr', '**', '*.py'),
              recursive=True)))
def test_configs_build(path):
    if '/_base_/' in path:
        return
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    if cfg.model.type == 'Vi2CLR':
        assert cfg.custom_hooks[-1]['type'] == 'Vi2CLRClusterHook'
        sampler = cfg.train_dataloader.sampler
        assert cfg.train_dataloader.batch_size % sampler.per_cluster == 0
        pack = cfg.train_dataloader.dataset.pipeline[-1]
        assert 'sample_idx' in pack['meta_keys']
    else:
        assert type(model).__name__ == 'Recognizer2D'


def test_loss_is_the_heads_on_the_right_embeddings():
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(osp.join(ROOT, DEMO)).model)
    model.eval()  # BN with running statistics: the same forward twice
    x = torch.randn(4, 2, 3, 8, 32, 32)
    idx = torch.tensor([5, 1, 7, 2])
    with torch.no_grad():
        losses = model(x, _samples(idx), mode='loss')
        clips = torch.cat([x[:, 0], x[:, 1]])
        f_v = model.backbone(clips).flatten(2).mean(2)
        f_i = model.image_backbone(clips[:, :, 4]).flatten(2).mean(2)
        r_v = model.video_neck(f_v)
        ids = idx.repeat(2)
        want, _ = model.video_head(r_v, ids, ids)
    assert losses['loss_video_nce'].item() == pytest.approx(want.item(),
                                                            rel=1e-5)
    assert losses['loss_center_nce'].item() == 0  # warm-up: no centroids
    # clusters: 5 and 1 together -> more positives, CenterNCE computed
    labels = torch.zeros(8, dtype=torch.long)
    labels[[5, 1]], labels[[7, 2]] = 0, 1
    r_j = model.joint_neck(torch.cat([f_v, f_i], 1))
    model.set_clusters(labels, torch.randn(2, 128), torch.full((2, ), 0.1))
    with torch.no_grad():
        losses = model(x, _samples(idx), mode='loss')
        want, _ = model.center_head(r_j, labels[ids],
                                    model.clusters.centroids,
                                    model.clusters.phi)
    assert losses['npos_video_nce'].item() == 3
    assert losses['loss_center_nce'].item() == pytest.approx(want.item(),
                                                             rel=1e-5)
    with pytest.raises(KeyError, match='sample_idx'):
        model(x, [ActionDataSample() for _ in range(4)], mode='loss')
    with pytest.raises(ValueError, match='two temporal crops'):
        model(x[:, :1], _samples(idx), mode='loss')


def test_tensor_mode_of_the_image_only_model_is_its_2d_encoder():
    # the ImgNCE-only ablation has no 3D encoder: 'tensor' gives the 2D
    # encoder's features of the middle frames (tools/analysis/get_flops.py
    # counts this mode)
    cfg = Config.fromfile(osp.join(ROOT, DEMO)).model
    model = MODELS.build(dict(cfg, backbone=None, video_neck=None,
                              joint_neck=None, video_head=None,
                              center_head=None, cluster_on='image')).eval()
    x = torch.randn(2, 2, 3, 8, 32, 32)
    with torch.no_grad():
        out = model(x)
        want = model.image_backbone(x.flatten(0, 1)[:, :, 4])
    torch.testing.assert_close(out, want)


def test_bad_model_configs_fail_naming_the_part():
    cfg = Config.fromfile(osp.join(ROOT, DEMO)).model
    with pytest.raises(ValueError, match='cluster_on'):
        MODELS.build(dict(cfg, cluster_on='audio'))
    with pytest.raises(ValueError, match='needs image_backbone'):
        MODELS.build(dict(cfg, image_backbone=None))


def test_both_backbones_load_into_stock_recognizers(tmp_path):
    torch.manual_seed(0)
    demo = Config.fromfile(osp.join(ROOT, DEMO))
    model = MODELS.build(demo.model)
    model.init_weights()
    ckpt = str(tmp_path / 'vi2clr.pth')
    torch.save(dict(state_dict=model.state_dict(), meta={}), ckpt)
    train = load_tool('train.py')
    for config, prefix, part in ((FINETUNE, 'backbone.', model.backbone),
                                 (IMAGE, 'image_backbone.',
                                  model.image_backbone)):
        cfg = Config.fromfile(osp.join(ROOT, config))
        if part is model.image_backbone:  # the demo's shrunk ResNet-18
            cfg.model.backbone = dict(demo.model.image_backbone,
                                      frozen_stages=3, norm_eval=True)
            cfg.model.cls_head.in_channels = demo.image_channels
        args = train.parse_args([config, '--work-dir', str(tmp_path / prefix),
                                 '--pretrained', ckpt,
                                 '--pretrained-prefix', prefix])
        cfg = train.merge_args(cfg, args)
        recognizer = MODELS.build(cfg.model)
        state = torch.load(cfg.load_from)['state_dict']
        want = recognizer.backbone.state_dict()
        assert sorted(state) == sorted(f'backbone.{k}' for k in want)
        recognizer.load_state_dict(state, strict=False)
        for k, v in part.state_dict().items():
            assert torch.equal(recognizer.backbone.state_dict()[k], v), k


def _tiny_cfg(tiny_data, tmp_path, body='', name='tiny.py'):
    root = osp.join(tiny_data, 'videos')
    # 8-frame clips, a two-stage ResNet-18 (128 channels): a small model
    return write_config(tmp_path, DEMO, f"""
from mmauxskd.cfg import update_pipeline, vi2clr_train_pipeline
_pipeline = vi2clr_train_pipeline(update_pipeline(
    _base_.clip_pipeline, SampleFrames=dict(clip_len=8)))
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_prefix=dict(video={root!r}), pipeline=_pipeline,
    ann_file={osp.join(tiny_data, 'demo_unlabelled_list_videos.txt')!r}))
clip_pipeline = None
model = dict(image_backbone=dict(num_stages=2, out_indices=(1, ),
                                 strides=(1, 2), dilations=(1, 1)),
             image_neck=dict(in_channels=128, hid_channels=128),
             joint_neck=dict(in_channels=64 + 128, hid_channels=128))
custom_hooks = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1],
    warmup_epochs=1, interval=2, batch_size=4)]
train_cfg = dict(max_epochs=3)
param_scheduler = []
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=5),
                     logger=dict(interval=1))
randomness = dict(seed=0)
val_cfg = val_dataloader = val_evaluator = None
{body}""", name)


def test_train_steps_cluster_and_resume_keeps_clusters(tiny_data, tmp_path):
    # epoch 0: instance warm-up; epoch 1: FINCH; epoch 2: not due (interval
    # 2): a run resumed after epoch 2 must train it with epoch 1's clusters
    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path))
    cfg.work_dir = str(tmp_path / 'full')
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook = next(h for h in runner.hooks
                if type(h).__name__ == 'Vi2CLRClusterHook')
    clusters = runner.model.clusters
    assert int(clusters.epoch) == 1
    full = dict(labels=clusters.labels.clone(),
                centroids=clusters.centroids.clone(),
                phi=clusters.phi.clone())
    assert len(full['labels']) == 8 and len(full['phi']) == \
        int(full['labels'].max()) + 1
    assert full['phi'].mean().item() == pytest.approx(0.08, rel=1e-5)
    sampler_labels = runner.train_dataloader.sampler.labels
    assert torch.equal(sampler_labels, full['labels'].cpu())
    weights = {k: v.clone() for k, v in runner.model.state_dict().items()}
    # the clustering pass leaves the generators as it found them
    before = (torch.get_rng_state(), np.random.get_state()[1].copy())
    hook.cluster(runner)
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])
    ckpt = torch.load(osp.join(cfg.work_dir, 'epoch_2.pth'),
                      weights_only=False)
    saved = ckpt['state_dict']  # the clusters are the model's buffers
    assert int(saved['clusters.epoch']) == 1
    assert torch.equal(saved['clusters.labels'], full['labels'].cpu())

    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path))
    cfg.work_dir = str(tmp_path / 'resumed')
    cfg.resume, cfg.load_from = True, osp.join(tmp_path, 'full',
                                               'epoch_2.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert torch.equal(resumed.model.clusters.labels, full['labels'])
    assert torch.allclose(resumed.model.clusters.centroids,
                          full['centroids'])
    assert torch.equal(resumed.train_dataloader.sampler.labels,
                       sampler_labels)
    for k, v in resumed.model.state_dict().items():
        assert torch.allclose(v.float(), weights[k].float(), atol=1e-6), k


def test_image_knn_readout_runs_on_middle_frames(tiny_data, tmp_path):
    from mmauxskd.evaluation import evaluate_frozen_backbone
    root = osp.join(tiny_data, 'videos')
    train = osp.join(tiny_data, 'demo_train_list_videos.txt')
    test = osp.join(tiny_data, 'demo_test_list_videos.txt')
    cfg = Config.fromfile(write_config(tmp_path, KNN, f"""
model = dict(backbone=dict(depth=18), cls_head=dict(in_channels=512,
                                                    num_classes=4))
_d = dict(data_prefix=dict(video={root!r}))
gallery_dataloader = dict(num_workers=0, persistent_workers=False,
    dataset=dict(ann_file={train!r}, **_d))
test_dataloader = dict(num_workers=0, persistent_workers=False,
    dataset=dict(ann_file={test!r}, **_d))
"""))
    metrics, feats = evaluate_frozen_backbone(cfg, 'none', progress=False)
    assert feats['gallery'][0].shape == (8, 512)
    assert feats['query'][0].shape == (4, 512)
    assert 0 <= metrics['knn/top1'] <= 1


def test_warmup_bank_trains_rj_and_a_resumed_run_rebuilds_it(tiny_data,
                                                             tmp_path):
    # two warm-up epochs: CenterNCE against a bank of every video's r_J
    # (singleton "clusters", phi = tau), not saved, rebuilt on resume
    body = """
custom_hooks = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1],
    warmup_epochs=2, interval=1, batch_size=4)]
train_cfg = dict(max_epochs=2)
"""
    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path, body))
    cfg.work_dir = str(tmp_path / 'full')
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook = next(h for h in runner.hooks
                if type(h).__name__ == 'Vi2CLRClusterHook')
    clusters = runner.model.clusters
    assert clusters.transient and int(clusters.epoch) == 1
    assert torch.equal(clusters.labels.cpu(), torch.arange(8))
    assert clusters.centroids.shape == (8, 128)
    assert torch.allclose(clusters.phi, torch.full((8, ), 0.08))
    bank = clusters.centroids.clone()
    assert runner.message_hub.get_scalar(
        'train/loss_center_nce').current() > 0
    ckpt = torch.load(osp.join(cfg.work_dir, 'epoch_1.pth'),
                      weights_only=False)
    assert 'vi2clr_clusters' not in ckpt['meta']
    assert ckpt['state_dict']['clusters.centroids'].numel() == 0
    weights = {k: v.clone() for k, v in runner.model.state_dict().items()}

    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path, body))
    cfg.work_dir = str(tmp_path / 'resumed')
    cfg.resume, cfg.load_from = True, osp.join(tmp_path, 'full',
                                               'epoch_1.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert torch.allclose(resumed.model.clusters.centroids, bank, atol=1e-6)
    for k, v in resumed.model.state_dict().items():
        assert torch.allclose(v.float(), weights[k].float(), atol=1e-6), k

    # without the bank, the warm-up has no CenterNCE
    cfg = Config.fromfile(_tiny_cfg(tiny_data, tmp_path, body + """
custom_hooks = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1],
    warmup_epochs=2, interval=1, batch_size=4, warmup_bank=False)]
train_cfg = dict(max_epochs=1)
"""))
    cfg.work_dir = str(tmp_path / 'nobank')
    plain = Runner.from_cfg(cfg)
    plain.train()
    assert not plain.model.clusters.assigned
    assert plain.message_hub.get_scalar(
        'train/loss_center_nce').current() == 0


def test_vi2clr_is_a_base_pretext_without_its_own_dispatch():
    """Vi2CLR shares BasePretext's preprocessor default and forward modes
    instead of writing them again."""
    from mmauxskd.models.algorithms.base import BasePretext
    from mmauxskd.models.algorithms.vi2clr import Vi2CLR
    assert issubclass(Vi2CLR, BasePretext)
    assert 'forward' not in vars(Vi2CLR)
    assert '__init__' in vars(Vi2CLR)

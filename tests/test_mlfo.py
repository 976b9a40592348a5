"""MLFO: view sampler indices, motion excitation vs a per-frame loop, the
model's levels / schedule / predict, the backbone in the stock
Recognizer3D, and every config building.

Tiny R(2+1)D-10 (8 base channels: levels of 16 / 32 / 64 channels) on
random 16x16x16 clips.
"""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmaction.registry import MODELS, TRANSFORMS

from conftest import ROOT, load_tool

from mmauxskd.models.heads.mlfo_semantic_head import MLFOSemanticHead
from mmauxskd.models.heads.mlfo_temporal_head import MLFOTemporalHead
from mmauxskd.models.necks.mlfo_level_neck import MLFOLevelNeck

B = 4


def tiny_model_cfg(backbone='r2plus1d_r10', **kwargs):
    cfg = Config.fromfile(osp.join(ROOT, 'configs/_base_/models/mlfo.py'))
    bb = Config.fromfile(osp.join(ROOT, f'configs/_base_/models/{backbone}.py'))
    model = cfg.model.to_dict()
    model.update(
        backbone=dict(bb.backbone.to_dict(), base_channels=8),
        levels=dict(low=16, mid=32, high=64),
        semantic_neck=dict(model['semantic_neck'], in_channels=64,
                           hid_channels=32),
        semantic_head=dict(model['semantic_head'], num_prototypes=6,
                           queue_size=16))
    model.update(kwargs)
    return model


def build(**kwargs):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(**kwargs))
    model.init_weights()
    return model.train()


def clips(batch=B, seed=0):
    """``(batch, 3 views, C, 16, 16, 16)`` random clips."""
    return torch.randn((batch, 3, 3) + (16, ) * 3,
                       generator=torch.Generator().manual_seed(seed))


# --- views ---------------------------------------------------------------

def test_window_sampler_indices():
    sampler = TRANSFORMS.build(dict(type='MLFOWindowSampler', clip_len=4))
    inds, labels = sampler.sample_indices(100, stride=2, start=3)
    # the module docstring's worked example
    assert inds.tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 3, 7, 11, 15]
    assert labels == dict(mlfo_stride=2, mlfo_start=3)
    rng = np.random.default_rng(0)
    strides = set()
    for n in (8, 20, 30):  # n // 8 caps the stride at 1, 2, 3
        for _ in range(100):
            inds, labels = sampler.sample_indices(n, rng)
            s, w = labels['mlfo_stride'], labels['mlfo_start']
            assert 1 <= s <= min(3, max(1, n // 8))
            k = np.arange(4)
            assert inds.tolist() == (w + s * np.concatenate(
                [k, k + 4, 2 * k])).tolist()
            assert inds.max() < n  # the window fits
            strides.add((n, s))
    assert {s for n, s in strides if n == 30} == {1, 2, 3}
    assert {s for n, s in strides if n == 8} == {1}
    # shorter than the window: start 0, looped
    inds, _ = sampler.sample_indices(5, rng)
    assert inds.max() < 5


def test_views_of_one_draw_decode_once_and_split(tiny_data):
    video = osp.join(tiny_data, 'videos', 'unlabelled', 'unlabelled_0000.mp4')
    init = TRANSFORMS.build(dict(type='PyAVSeekInit'))
    views = TRANSFORMS.build(dict(
        type='ViewsOfOneDraw', sampler=dict(type='MLFOWindowSampler',
                                            clip_len=8),
        transforms=[dict(type='FormatShape', input_format='NCTHW')]))
    np.random.seed(0)
    out = views(init(dict(filename=video, start_index=0)))
    assert out['imgs'].shape[:3] == (3, 3, 8)
    inds = out['frame_inds']
    assert inds.shape == (3, 8)
    s, w = out['mlfo_stride'], out['mlfo_start']
    assert inds.tolist() == [[w + s * i for i in range(8)],
                             [w + s * i for i in range(8, 16)],
                             [w + 2 * s * i for i in range(8)]]
    # each view holds the frames at its indices
    decode = TRANSFORMS.build(dict(type='PyAVSeekDecode'))
    ref = decode(init(dict(filename=video, start_index=0,
                           frame_inds=inds.reshape(-1))))['imgs']
    ref = np.stack(ref).reshape(3, 8, *ref[0].shape).transpose(0, 4, 1, 2, 3)
    np.testing.assert_array_equal(out['imgs'], ref)


def test_frame_augmentations_are_per_frame():
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
              for _ in range(40)]
    np.random.seed(0)
    grey = TRANSFORMS.build(dict(type='FrameRandomGray', p=0.5))(
        dict(imgs=[f.copy() for f in frames]))['imgs']
    is_grey = [bool((g[..., 0] == g[..., 1]).all() and
                    (g[..., 1] == g[..., 2]).all()) for g in grey]
    assert 5 < sum(is_grey) < 35  # some frames, not the clip
    jit = TRANSFORMS.build(dict(type='FrameColorJitter', brightness=0.5,
                                contrast=0.5, saturation=0.5, hue=0.25))
    same = [frames[0].copy() for _ in range(6)]
    out = jit(dict(imgs=same))['imgs']
    assert len({o.tobytes() for o in out}) == 6  # one draw per frame


def test_the_demo_leaves_out_the_colour_augmentation_and_keeps_the_rest():
    from mmauxskd.cfg import mlfo_transforms
    full, plain = mlfo_transforms(32), mlfo_transforms(32, colour=False)
    colour = {'FrameRandomGray', 'FrameColorJitter'}
    assert colour <= {t['type'] for t in full}
    assert plain == [t for t in full if t['type'] not in colour]
    demo = Config.fromfile(osp.join(
        ROOT, 'configs/mlfo/mlfo_r2plus1d-r10-w8_1xb16-3x16-600it_demo-rgb.py'))
    views = demo.train_dataloader.dataset.pipeline[1]['transforms']
    assert [t['type'] for t in views] == [
        'Resize', 'RandomResizedCrop', 'Resize', 'Flip', 'FormatShape']
    k400 = Config.fromfile(osp.join(
        ROOT, 'configs/mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py'))
    assert colour <= {t['type'] for t in
                      k400.train_dataloader.dataset.pipeline[1]['transforms']}


# --- motion excitation ---------------------------------------------------

def test_motion_excitation_matches_a_per_frame_loop():
    torch.manual_seed(0)
    me = MODELS.build(dict(type='MotionExcitation', channels=32,
                           reduction=4))
    for bn in (me.reduce_bn, me.expand_bn):  # non-trivial statistics
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        torch.nn.init.uniform_(bn.weight, 0.5, 1.5)
    me.eval()  # per-frame operations: BN with running statistics
    x = torch.randn(2, 32, 5, 6, 6)
    out = me(x)
    t_len = x.shape[2]
    want = []
    for t in range(t_len):
        def y(k):
            return me.reduce_bn(me.reduce(x[:, :, k:k + 1]))[:, :, 0]
        if t < t_len - 1:
            m = me.motion(y(t + 1)) - y(t)  # (N, C/r, H, W)
        else:
            m = torch.zeros_like(y(t))
        pooled = m.mean(dim=(2, 3))[:, :, None, None, None]
        a = torch.sigmoid(me.expand_bn(me.expand(pooled))) - 0.5
        want.append(x[:, :, t] + a[:, :, 0] * x[:, :, t])
    torch.testing.assert_close(out, torch.stack(want, 2), rtol=1e-5,
                               atol=1e-6)


def test_level_neck_is_a_per_step_mlp():
    neck = MLFOLevelNeck(16, 8)
    x = torch.randn(2, 16, 4, 3, 3)
    out = neck(x)
    assert out.shape == (2, 8, 4)
    lin = [neck.mlp[0], neck.mlp[2]]
    for t in range(4):
        v = x[:, :, t].mean(dim=(2, 3))
        v = F.linear(F.relu(F.linear(v, lin[0].weight[..., 0], lin[0].bias)),
                     lin[1].weight[..., 0], lin[1].bias)
        torch.testing.assert_close(out[:, :, t], v, rtol=1e-5, atol=1e-6)


# --- model ---------------------------------------------------------------

def test_levels_are_the_backbone_stages_and_inference_is_plain():
    model = build().eval()
    x = clips(2).flatten(0, 1)
    feats = model.extract_feat(x)
    assert [tuple(f.shape[1:3]) for f in feats.values()] == [
        (16, 8), (32, 4), (64, 2)]
    torch.testing.assert_close(feats['high'], model.backbone(x))
    torch.testing.assert_close(model(clips(2), mode='tensor'),
                               model.backbone(x))


def test_schedule_stages_freeze_and_queue():
    model = build(queue_start_epoch=2, graph_start=0.5)
    with pytest.raises(RuntimeError, match='MLFOStageHook'):
        model(clips(), mode='loss')
    model.set_epoch(0, 4)
    losses = model(clips(), mode='loss')
    assert not any(k.startswith('loss_graph') for k in losses)
    assert model.semantic_head.freeze_prototypes
    assert not model.semantic_head.use_queue
    assert {'loss_ins', 'loss_sem', 'loss_aug_low', 'loss_aug_mid',
            'loss_ret_low', 'loss_ret_mid', 'loss_ret_high'} <= set(losses)
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert model.semantic_head.prototypes.grad is None
    assert model.necks['low'].me.reduce.weight.grad is not None
    assert int(model.semantic_head.queue_filled) == 2 * B
    model.set_epoch(2, 4)
    losses = model(clips(), mode='loss')
    assert {'loss_graph_high', 'loss_graph_mid', 'loss_graph_low'} <= set(
        losses)
    assert model.semantic_head.use_queue
    assert model.state_dict()['epoch'] == 2


@MODELS.register_module(force=True)
class RollTemporalHead(MLFOTemporalHead):
    """Test head: ``Aug_k`` replaced by a cyclic shift of the steps."""

    def augmented_embeddings(self, feat, neck, gather=None):
        return super().augmented_embeddings(feat.roll(1, 2), neck, gather)


@MODELS.register_module(force=True)
class StageRecordingSemanticHead(MLFOSemanticHead):
    """Test head: records every stage switch."""

    def set_stage(self, *, freeze_prototypes, use_queue):
        self.stages = getattr(self, 'stages', []) + [
            (freeze_prototypes, use_queue)]
        super().set_stage(freeze_prototypes=freeze_prototypes,
                          use_queue=use_queue)


@MODELS.register_module(force=True)
class MaxStepNeck(MLFOLevelNeck):
    """Test neck: the clip embedding is the steps' maximum."""

    @staticmethod
    def embed(steps):
        return steps.amax(dim=2)


def loss_of(**kwargs):
    model = build(**kwargs)
    model.set_epoch(0, 4)
    return model, model(clips(), mode='loss')


def test_the_temporal_head_of_the_config_computes_its_losses():
    temporal = tiny_model_cfg()['temporal_head']
    _, stock = loss_of()
    _, rolled = loss_of(temporal_head=dict(temporal, type='RollTemporalHead'))
    for name in ('low', 'mid'):  # L_aug: the head's own augmentation
        assert not torch.allclose(rolled[f'loss_aug_{name}'],
                                  stock[f'loss_aug_{name}'])
    for name in ('low', 'mid', 'high'):  # L_ret: unchanged
        torch.testing.assert_close(rolled[f'loss_ret_{name}'],
                                   stock[f'loss_ret_{name}'])
    torch.testing.assert_close(rolled['loss_ins'], stock['loss_ins'])


def test_the_semantic_head_is_switched_by_its_set_stage():
    semantic = tiny_model_cfg()['semantic_head']
    model = build(semantic_head=dict(semantic,
                                     type='StageRecordingSemanticHead'),
                  queue_start_epoch=2, freeze_prototypes_epochs=1)
    for epoch in (0, 1, 2):
        model.set_epoch(epoch, 4)
        model(clips(), mode='loss')
    assert model.semantic_head.stages == [(True, False), (False, False),
                                          (False, True)]


def test_level_necks_are_built_from_the_config_dict():
    model = build(level_neck=dict(type='MLFOLevelNeck', out_channels=12,
                                  reduction=4))
    assert [n.mlp[2].out_channels for n in model.necks.values()] == [12] * 3
    assert [n.mlp[0].in_channels for n in model.necks.values()] == [
        16, 32, 64]
    assert model.necks['low'].me.reduce.out_channels == 16 // 4
    assert model.necks['high'].me is None  # not a motion level
    model, losses = loss_of(level_neck=dict(type='MaxStepNeck',
                                            out_channels=128))
    assert all(type(n) is MaxStepNeck for n in model.necks.values())
    _, stock = loss_of()
    assert not torch.allclose(losses['loss_ins'], stock['loss_ins'])
    torch.testing.assert_close(losses['loss_ret_high'],
                               stock['loss_ret_high'])


def test_ablations_build_and_drop_their_losses():
    model = build(graph_head=None, temporal_head=None, motion_levels=())
    model.set_epoch(5, 10)
    losses = model(clips(), mode='loss')
    assert set(k for k in losses if k.startswith('loss')) == {
        'loss_ins', 'loss_sem'}
    assert all(n.me is None for n in model.necks.values())
    with pytest.raises(ValueError, match='aug_levels'):
        build(motion_levels=('low', ))  # L_aug at mid needs ME at mid


def test_predict_scores_instance_discrimination():
    from mmaction.structures import ActionDataSample
    model = build().eval()
    x = clips()
    x[:, 1] = x[:, 0]  # identical first and second clips: all found
    samples = model(x, [ActionDataSample() for _ in range(B)],
                    mode='predict')
    assert [int(s.pred_instance_label) for s in samples] == list(range(B))
    assert [int(s.instance_label) for s in samples] == list(range(B))


@pytest.mark.parametrize('backbone', ['r2plus1d_r10', 'r3d_18'])
def test_backbone_loads_into_stock_recognizer3d(backbone):
    model = build(backbone=backbone).eval()
    bb = Config.fromfile(osp.join(ROOT, f'configs/_base_/models/{backbone}.py'))
    rec_cfg = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/recognizer3d.py')).model
    rec = MODELS.build(dict(rec_cfg.to_dict(),
                            backbone=dict(bb.backbone.to_dict(),
                                          base_channels=8),
                            cls_head=dict(rec_cfg.cls_head.to_dict(),
                                          in_channels=64)))
    state = {k: v for k, v in model.state_dict().items()
             if k.startswith('backbone.')}
    missing, unexpected = rec.load_state_dict(state, strict=False)
    assert not unexpected
    assert all(k.startswith('cls_head.') for k in missing)
    rec.eval()
    x = clips(2).flatten(0, 1)
    torch.testing.assert_close(rec.extract_feat(x[:, None])[0],
                               model.backbone(x))


def test_every_config_builds():
    paths = sorted(glob.glob(osp.join(ROOT, 'configs/mlfo/*.py')))
    assert len(paths) >= 10
    for path in paths:
        cfg = Config.fromfile(path)
        model = cfg.model.to_dict()
        # the config's structure at an 8th of the width: a fast build
        model['backbone']['base_channels'] = 8
        model['levels'] = {k: c // 8 for k, c in model['levels'].items()}
        model['semantic_neck'].update(in_channels=64, hid_channels=64)
        MODELS.build(model)
        assert cfg.train_dataloader.dataset.pipeline[1]['type'] == \
            'ViewsOfOneDraw'
        assert dict(type='MLFOStageHook') in cfg.custom_hooks


def test_demo_arm_points_its_held_out_draws_at_the_data():
    run_demo = load_tool('run_demo.py')
    config = run_demo.ARMS['mlfo']['pretexts'][0]
    cfg = Config.fromfile(osp.join(ROOT, config))
    opts = run_demo.data_options('/d', 'unlabelled', cfg)
    assert opts['train_dataloader.dataset.ann_file'] == \
        '/d/demo_unlabelled_list_videos.txt'
    for i in range(8):  # 4 draws of the own task, 4 of the readout
        assert opts[f'val_dataloader.dataset.datasets.{i}.ann_file'] == \
            '/d/demo_pretext_val_list_videos.txt'
    assert cfg.val_evaluator == [
        dict(type='PretextAccMetric', tasks=('instance', )),
        dict(type='InstanceRetrievalMetric')]


def test_predict_leaves_the_instance_readouts_samples_to_their_metric():
    from mmaction.structures import ActionDataSample
    model = build().eval()
    x = clips()
    x[:, 1] = x[:, 0]
    samples = [ActionDataSample(metainfo=dict(instance_seed=0, sample_idx=i)
                                if i in (0, 2) else {}) for i in range(B)]
    samples = model(x, samples, mode='predict')
    for i in (0, 2):  # the readout's: both short clips embedded
        emb = samples[i].view_embeddings
        assert emb.shape[0] == 2 and "pred_instance_label" not in \
            samples[i]
        torch.testing.assert_close(emb[0], emb[1])
    # the own task among the others only: found within {1, 3}
    assert [int(samples[i].pred_instance_label) for i in (1, 3)] == [0, 1]
    assert [int(samples[i].instance_label) for i in (1, 3)] == [0, 1]
    assert samples[1].pred_instance_score.shape == (2, )

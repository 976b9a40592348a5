"""VCOP: ClipOrderSampler indices/labels/policies, head, model, configs."""
import glob
import itertools
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from mmengine.dataset import Compose
from mmengine.optim import OptimWrapper
from mmaction.registry import MODELS, TRANSFORMS
from mmaction.structures import ActionDataSample

from conftest import ROOT
from mmauxskd.datasets.transforms import ClipOrderSampler, clip_orders
from test_vspp import TINY_BACKBONE, load, tiny_batch

MAIN = 'configs/vcop/vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py'
DEMO = 'configs/vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py'
VCOP_CONFIGS = sorted(osp.relpath(p, ROOT) for p in glob.glob(
    osp.join(ROOT, 'configs', 'vcop', '*.py')) if 'demo' not in p)


def reference(start, clip_len, gap, order):
    """The definition: clip c = start + c (K + g) + 0..K-1, output π order."""
    clips = [[start + c * (clip_len + gap) + i for i in range(clip_len)]
             for c in range(len(order))]
    return [f for c in order for f in clips[c]]


# ------------------------------------------------------------- sampler --


def test_label_permutation_mapping_is_a_documented_bijection():
    orders = clip_orders(3)
    assert orders == [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1),
                      (2, 1, 0)]
    for n in range(2, 6):
        orders = clip_orders(n)
        assert len(orders) == len(set(orders)) == math.factorial(n)
        assert set(orders) == set(itertools.permutations(range(n)))
        assert orders == sorted(orders)
        sampler = ClipOrderSampler(clip_len=2, interval=1, num_clips_tuple=n)
        for label, order in enumerate(orders):
            _, out = sampler.sample_indices(1000, label=label)
            assert out['vcop_order'] == order and out['order_label'] == label


@st.composite
def geometry(draw):
    n = draw(st.integers(2, 4))
    clip_len = draw(st.integers(1, 16))
    gap = draw(st.integers(0, 10))
    label = draw(st.integers(0, math.factorial(n) - 1))
    start = draw(st.integers(0, 300))
    return n, clip_len, gap, label, start


@settings(max_examples=200, deadline=None)
@given(geometry())
def test_indices_follow_the_definition(g):
    n, clip_len, gap, label, start = g
    sampler = ClipOrderSampler(clip_len=clip_len, interval=gap,
                               num_clips_tuple=n)
    inds, out = sampler.sample_indices(10_000, label=label, start=start)
    order = clip_orders(n)[label]
    assert inds.tolist() == reference(start, clip_len, gap, order)
    assert out == dict(order_label=label, vcop_order=order,
                       vcop_start=start, vcop_interval=gap)
    # un-shuffling by π restores temporal order
    clips = inds.reshape(n, clip_len)
    restored = np.empty_like(clips)
    restored[list(order)] = clips
    assert (np.diff(restored.reshape(-1)) > 0).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(64, 400), st.integers(0, 2**31 - 1))
def test_random_draws_fit_the_video(num_frames, seed):
    sampler = ClipOrderSampler()
    inds, out = sampler.sample_indices(num_frames,
                                       np.random.default_rng(seed))
    assert out['vcop_interval'] == 8
    assert 0 <= out['vcop_start'] <= num_frames - 64
    assert inds.tolist() == reference(out['vcop_start'], 16, 8,
                                      out['vcop_order'])
    assert inds.max() < num_frames


def test_labels_are_uniform():
    sampler = ClipOrderSampler()
    rng = np.random.default_rng(0)
    labels = [sampler.sample_indices(100, rng)[1]['order_label']
              for _ in range(3000)]
    counts = np.bincount(labels, minlength=6)
    assert counts.min() > 400 and counts.max() < 600


@pytest.mark.parametrize('num_frames,gap,start_max', [
    (64, 8, 0), (63, 7, 1), (56, 4, 0), (50, 1, 0), (48, 0, 0)])
def test_short_videos_shrink_the_gap(num_frames, gap, start_max):
    sampler = ClipOrderSampler()
    for seed in range(20):
        inds, out = sampler.sample_indices(num_frames,
                                           np.random.default_rng(seed))
        assert out['vcop_interval'] == gap
        assert 0 <= out['vcop_start'] <= start_max
        assert inds.tolist() == reference(out['vcop_start'], 16, gap,
                                          out['vcop_order'])
        assert inds.max() < num_frames


def test_shorter_than_the_clips_loops_or_repeats():
    inds, out = ClipOrderSampler().sample_indices(40, label=0)
    assert out['vcop_interval'] == 0 and out['vcop_start'] == 0
    assert inds.tolist() == [i % 40 for i in range(48)]
    inds, _ = ClipOrderSampler(out_of_bound_opt='repeat_last').sample_indices(
        40, label=5)  # π = (2, 1, 0)
    assert inds[:16].tolist() == [min(32 + i, 39) for i in range(16)]
    assert inds[16:32].tolist() == list(range(16, 32))


@pytest.mark.parametrize('kwargs,name', [
    (dict(clip_len=0), 'clip_len'), (dict(clip_len=2.5), 'clip_len'),
    (dict(interval=-1), 'interval'), (dict(interval=True), 'interval'),
    (dict(num_clips_tuple=1), 'num_clips_tuple'),
    (dict(num_clips_tuple=7), 'num_clips_tuple'),
    (dict(out_of_bound_opt='wrap'), 'out_of_bound_opt')])
def test_bad_parameters_fail_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TRANSFORMS.build(dict(type='ClipOrderSampler', **kwargs))
    with pytest.raises(ValueError, match='label'):
        ClipOrderSampler().sample_indices(100, label=6)


def test_test_mode_is_deterministic_per_video():
    sampler = ClipOrderSampler(test_mode=True)

    def draw(name, frames=200):
        return sampler(dict(filename=name, total_frames=frames,
                            start_index=0))

    a, b = draw('a.mp4'), draw('a.mp4')
    assert a['frame_inds'].tolist() == b['frame_inds'].tolist()
    assert a['vcop_start'] == (200 - 64) // 2
    labels = {draw(f'{i}.mp4')['order_label'] for i in range(30)}
    assert len(labels) > 3  # per video, not one constant order


def test_transform_keys_and_only_needed_frames_decoded(tiny_data):
    video = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                      '*.mp4')))[0]
    pipeline = Compose([dict(type='PyAVSeekInit'),
                        dict(type='ClipOrderSampler', clip_len=4,
                             interval=2),
                        dict(type='PyAVSeekDecode')])
    np.random.seed(3)
    out = pipeline(dict(filename=video, start_index=0, modality='RGB'))
    assert out['num_clips'] == 3 and out['clip_len'] == 4
    assert len(out['frame_inds']) == 12 and len(out['imgs']) == 12
    # the decoder read exactly these frames: compare with a full decode
    full = Compose([dict(type='PyAVSeekInit'),
                    dict(type='SampleFrames', clip_len=out['total_frames'],
                         frame_interval=1, num_clips=1, test_mode=True),
                    dict(type='PyAVSeekDecode')])(
        dict(filename=video, start_index=0, modality='RGB'))
    for img, i in zip(out['imgs'], out['frame_inds']):
        assert np.array_equal(img, full['imgs'][i])


# ---------------------------------------------------------------- head --


def samples(labels):
    out = []
    for label in labels:
        d = ActionDataSample()
        d.set_field(label, 'order_label')
        out.append(d)
    return out


def test_head_is_vcops_pairwise_network():
    torch.manual_seed(0)
    head = MODELS.build(dict(type='VCOPHead', in_channels=8, num_clips=3,
                             hidden_channels=5)).eval()
    assert head.fc_pair.in_features == 16 and head.fc_order.out_features == 6
    assert head.fc_order.in_features == 15
    feats = torch.randn(2, 3, 8, 2, 3, 3)
    logits = head(feats)
    f = feats.mean((3, 4, 5))
    pairs = [torch.relu(head.fc_pair(torch.cat([f[:, i], f[:, j]], 1)))
             for i, j in ((0, 1), (0, 2), (1, 2))]
    assert torch.allclose(logits, head.fc_order(torch.cat(pairs, 1)),
                          atol=1e-6)
    losses = head.loss(feats, samples([4, 1]))
    assert torch.allclose(losses['loss_order'],
                          F.cross_entropy(logits, torch.tensor([4, 1])))
    assert set(losses) == {'loss_order', 'acc_order'}
    with pytest.raises(ValueError, match='order label'):
        head.loss(feats, samples([6, 0]))
    with pytest.raises(KeyError, match='order_label'):
        head.loss(feats, [ActionDataSample(), ActionDataSample()])


# --------------------------------------------------------------- model --


def tiny_model(cfg):
    cfg.model.backbone = TINY_BACKBONE
    cfg.model.head.in_channels = 64
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def test_model_loss_equals_ce_of_head_logits_and_steps_drive_it_down(
        tiny_data):
    torch.manual_seed(0)
    np.random.seed(0)
    cfg = load(MAIN)
    model = tiny_model(cfg)
    assert {k.split('.')[0] for k in model.state_dict()} == {'backbone',
                                                             'head'}
    batch = tiny_batch(cfg, tiny_data, n=4)
    data = model.data_preprocessor(batch, training=True)
    assert data['inputs'].shape == (4, 3, 3, 16, 32, 32)
    labels = torch.tensor([int(s.order_label) for s in batch['data_samples']])
    model.eval()  # no dropout / BN updates: compare exactly
    with torch.no_grad():
        logits = model(data['inputs'])
        feats = model.backbone(data['inputs'].flatten(0, 1))
        direct = model.head(feats.view(4, 3, *feats.shape[1:]))
        losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert logits.shape == (4, 6)
    assert torch.allclose(logits, direct, atol=1e-5)
    assert torch.allclose(losses['loss_order'],
                          F.cross_entropy(logits, labels), atol=1e-6)
    preds = model(data['inputs'], data['data_samples'], mode='predict')
    assert preds[0].pred_order_score.shape == (6, )
    with pytest.raises(RuntimeError, match='mode'):
        model(data['inputs'], mode='nope')

    model.train()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    history = [model.train_step(batch, optim)['loss_order'].item()
               for _ in range(8)]
    assert min(history[-2:]) < 0.5 * history[0], history


# ------------------------------------------------------------- configs --


def test_main_configs_follow_vcop():
    for path in VCOP_CONFIGS:
        cfg = load(path)
        sampler = cfg.train_dataloader.dataset.get(
            'dataset', cfg.train_dataloader.dataset).pipeline[1]
        assert sampler == dict(type='ClipOrderSampler', clip_len=16,
                               interval=8, num_clips_tuple=3), path
        head = cfg.model.head
        assert (head.num_clips, head.hidden_channels,
                head.dropout_ratio) == (3, 512, 0.5)
        opt = cfg.optim_wrapper.optimizer
        assert (opt.type, opt.lr, opt.weight_decay) == ('SGD', 1e-3, 5e-4)
        # the paper's Table 1 VCOP row: 200 epochs on K-100 (in the name)
        epochs = 200 if 'k100' in path else 20
        assert cfg.train_cfg.max_epochs == epochs
        assert f'-{epochs}e_' in path
        # VCOP's augmentation: a random crop per clip, no flip or jitter
        pipeline = cfg.train_dataloader.dataset.get(
            'dataset', cfg.train_dataloader.dataset).pipeline
        types = [t['type'] for t in pipeline]
        assert 'Flip' not in types and 'ClipColorJitter' not in types
        crop = pipeline[types.index('ClipGroupAugment')]
        assert crop['groups'] == 'each'
        assert [t['type'] for t in crop['transforms']] == ['RandomCrop']


def test_demo_keeps_the_method_and_shrinks_by_the_small_data_rule():
    """docs/small_data.md: the demo keeps VCOP's sampler, augmentation
    order, head and optimiser type; it shrinks frame size and width and
    sets a step budget and its own lr."""
    demo, main = load(DEMO), load(MAIN)
    d, m = demo.train_dataloader, main.train_dataloader
    assert d.batch_size == 16
    # the same transforms, the decoder (PyAV) included
    assert [t['type'] for t in d.dataset.pipeline] == [
        t['type'] for t in m.dataset.pipeline]
    for a, b in zip(d.dataset.pipeline, m.dataset.pipeline):
        if a['type'] == 'ClipGroupAugment':  # the crop per clip, smaller
            assert a['groups'] == b['groups'] == 'each'
            assert a['transforms'] == [dict(type='RandomCrop', size=32)]
        elif a['type'] not in ('Resize', 'RandomCrop'):
            assert a == b
    assert demo.model.head.num_clips == main.model.head.num_clips
    assert demo.model.backbone.base_channels == 8
    assert demo.optim_wrapper.optimizer.type == 'SGD'
    assert demo.train_cfg.max_epochs * 6 >= 800  # the step budget
    assert demo.val_evaluator == dict(type='PretextAccMetric',
                                      tasks=('order', ))

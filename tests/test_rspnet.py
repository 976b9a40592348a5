"""RSPNet: sampler indices/labels, losses A and M, key encoder, hooks.

Tiny R(2+1)D-10 (8 base channels) on random 8x32x32 clips.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmaction.registry import HOOKS, MODELS, TRANSFORMS

from mmauxskd.models.utils import update_momentum_encoders
from test_auxskd import fake_runner, tiny_backbone

B, H, D = 4, 10, 16  # batch, queue size, embedding


def build_model(queue_size=H, momentum=0.1, **kwargs):
    head = dict(type='VideoMLPNeck', in_channels=64, hid_channels=32,
                out_channels=D, num_layers=2)
    model = MODELS.build(dict(
        type='RSPNet', backbone=tiny_backbone(), neck=head, speed_neck=head,
        queue_size=queue_size, feat_dim=D, momentum=momentum, **kwargs))
    model.init_weights()
    return model.train()


def triplets(batch=B, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 3, 3, 8, 32, 32, generator=g)


# --- sampler -------------------------------------------------------------

def test_sampler_follows_the_definition():
    sampler = TRANSFORMS.build(dict(type='RelativeSpeedSampler', clip_len=4))
    inds, labels = sampler.sample_indices(100, speeds=(1, 1, 0),
                                          starts=(3, 0))
    # module docstring's worked example: speeds (1, 2) -> index 1 is 2x;
    # the keys (positive, negative) are one window at two speeds
    assert inds.tolist() == [3, 5, 7, 9, 0, 2, 4, 6, 0, 1, 2, 3]
    assert labels['rsp_speeds'] == (2, 2, 1)
    assert labels['rsp_starts'] == (3, 0, 0)
    assert labels['speed_label'].tolist() == [1, 1, 0]

    rng = np.random.default_rng(0)
    seen, query_own = set(), 0
    for _ in range(200):
        inds, labels = sampler.sample_indices(40, rng)
        a, p, n = labels['rsp_speeds']
        assert a == p != n
        seen.add(a)
        w_q, w_p, w_n = labels['rsp_starts']
        assert w_p == w_n  # k+ and k- share the key window
        query_own += w_q != w_p  # the query has its own
        for clip, s, w in zip(inds.reshape(3, 4), labels['rsp_speeds'],
                              labels['rsp_starts']):
            assert clip.tolist() == [w + s * i for i in range(4)]
            assert 0 <= w <= 40 - 8  # the longest (2x) window fits
    assert seen == {1, 2} and query_own > 150


def test_sampler_single_clip_transform_and_short_video():
    sampler = TRANSFORMS.build(dict(type='RelativeSpeedSampler', clip_len=16,
                                    triplet=False))
    out = sampler.transform(dict(total_frames=50, start_index=0,
                                 filename='a.mp4'))
    assert out['num_clips'] == 1 and out['frame_inds'].shape == (16, )
    steps = np.diff(out['frame_inds'])
    assert (steps == out['rsp_speeds']).all()
    inds, _ = TRANSFORMS.build(dict(type='RelativeSpeedSampler')).\
        sample_indices(20, np.random.default_rng(0))
    assert inds.min() >= 0 and inds.max() < 20  # loops past the end
    with pytest.raises(ValueError, match='speeds'):
        TRANSFORMS.build(dict(type='RelativeSpeedSampler', speeds=(2, )))


# --- losses ---------------------------------------------------------------

def test_losses_match_a_direct_computation():
    torch.manual_seed(0)
    head = build_model(head=dict(type='RSPNetHead', temperature=0.07,
                                 margin=2.0)).head
    q_a, q_m, kp_a, kp_m, kn_a, kn_m = (F.normalize(torch.randn(5, D), dim=1)
                                        for _ in range(6))
    queue = F.normalize(torch.randn(H, D), dim=1)
    out = head.loss(q_a, torch.stack([kp_a, kn_a], 1), queue, q_m, kp_m,
                    kn_m)

    t, loss_a, loss_m = 0.07, 0., 0.
    for i in range(5):
        for k in (kp_a[i], kn_a[i]):  # InfoNCE, positive at index 0
            logits = torch.cat([(q_a[i] @ k)[None], queue @ q_a[i]]).double()
            logits = logits / t
            loss_a += -(logits[0] - torch.logsumexp(logits, 0))
        pos, neg = q_m[i] @ kp_m[i] / t, q_m[i] @ kn_m[i] / t
        loss_m += max(0., 2.0 - (pos - neg).item())  # margin ranking
    # A: the SUM of the two terms (authors' code), each a batch mean
    assert out['loss_A'].item() == pytest.approx(loss_a.item() / 5, rel=1e-5)
    assert out['loss_M'].item() == pytest.approx(loss_m / 5, rel=1e-5)


def test_the_configured_head_decides_the_losses():
    """Another temperature and margin in ``head=dict(...)`` give the loss
    of a direct computation on the model's own embeddings."""
    t, margin = 0.2, 0.5
    model = build_model(check_hooks=False, head=dict(
        type='RSPNetHead', temperature=t, margin=margin))
    clips = triplets()
    with torch.no_grad():
        losses = model(clips, mode='loss')
        _, q_m = model.embed(model.query_encoder(), clips[:, 0])
        _, (kp_m, kn_m) = model._keys(clips[:, 1], clips[:, 2])
    pos, neg = (q_m * kp_m).sum(1) / t, (q_m * kn_m).sum(1) / t
    expected = (margin - (pos - neg)).clamp(min=0).mean()
    torch.testing.assert_close(losses['loss_M'], expected)
    assert losses['acc_M'].item() == (pos > neg).float().mean().item()


def test_key_encoder_gets_no_gradient_and_negative_keys_are_enqueued():
    model = build_model()
    key_encoder = model.momentum_contrast.encoder
    assert not any(p.requires_grad for p in key_encoder.parameters())
    for key, value in key_encoder.module.state_dict().items():
        ours = model.query_encoder().state_dict()[key]
        assert torch.equal(value, ours), key
    update_momentum_encoders(model)
    clips = triplets()
    losses = model(clips, mode='loss')
    (losses['loss_A'] + losses['loss_M']).backward()
    assert all(p.grad is None for p in key_encoder.parameters())
    for module in (model.backbone, model.neck, model.speed_neck):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in module.parameters())
    pending = model.momentum_contrast.queue.pending
    assert pending.shape == (B, D) and pending.grad_fn is None
    with torch.no_grad():  # k-_A: the other-speed clips' appearance keys
        k = key_encoder.module  # (one batch with k+, as in training)
        k_a = k['neck'](k['backbone'](torch.cat([clips[:, 1], clips[:, 2]])))
    torch.testing.assert_close(pending, F.normalize(k_a[B:], dim=1))
    assert model.momentum_contrast.queue.enqueue_pending() == B
    assert int(model.momentum_contrast.queue.ptr) == B
    with pytest.raises(RuntimeError, match='MomentumTeacherHook'):
        model(triplets(), mode='loss')
    state = model.state_dict()
    assert 'momentum_contrast.encoder.module.speed_neck.mlp.0.weight' in state
    assert {'momentum_contrast.queue.bank', 'momentum_contrast.queue.ptr',
            'momentum_contrast.encoder.steps'} <= set(state)
    assert {k for k in state if k.startswith('backbone.')} == {
        'backbone.' + k for k in model.backbone.state_dict()}


def test_a_few_steps_with_the_hooks_reduce_the_loss():
    """Real steps on a fixed batch against a fixed queue (enqueuing the
    batch's own keys would make them hard negatives of the same videos,
    so on one repeated batch the loss is not expected to fall)."""
    torch.manual_seed(0)
    model = build_model(queue_size=32, momentum=0.01, check_hooks=False)
    wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.05,
        momentum=0.9))
    ema, queue = (HOOKS.build(dict(type=t)) for t in (
        'MomentumTeacherHook', 'AnchorQueueHook'))
    data = dict(inputs=list(triplets(8)), data_samples=None)
    losses = []
    for it in range(8):
        ema.before_train_iter(fake_runner(model, it), it)
        out = model.train_step(data, wrapper)
        losses.append((out['loss'].item(), out['loss_A'].item()))
    assert all(math.isfinite(x) for pair in losses for x in pair)
    assert losses[-1][0] < losses[0][0] and losses[-1][1] < losses[0][1]
    assert int(model.momentum_contrast.encoder.steps) == 8
    model.train_step(data, wrapper)
    queue.after_train_iter(fake_runner(model, 8), 8)
    assert int(model.momentum_contrast.queue.ptr) == 8


@pytest.mark.parametrize('name,sampler', [
    ('auxskd-videopace_r2plus1d-r10_2xb15-2x16-20e_k100-rgb', dict(type='SegmentPaceSampler',
                                     num_segments=1)),
    ('auxskd-videopace_r3d-18_2xb15-2x16-20e_k100-rgb', dict(type='SegmentPaceSampler', num_segments=1)),
    ('auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb', dict(type='ClipOrderSampler', num_clips_tuple=3)),
    ('auxskd-vcop_r3d-18_2xb15-2x3x16x8-20e_k100-rgb', dict(type='ClipOrderSampler', num_clips_tuple=3)),
    ('auxskd-rspnet_r2plus1d-r10_2xb15-2x16-20e_k100-rgb', dict(type='RelativeSpeedSampler',
                                  triplet=False)),
    ('auxskd-rspnet_r3d-18_2xb15-2x16-20e_k100-rgb', dict(type='RelativeSpeedSampler', triplet=False)),
])
def test_auxskd_plus_x_configs_use_the_x_sampling(name, sampler):
    import os.path as osp

    from mmengine.config import Config

    from conftest import ROOT
    cfg = Config.fromfile(osp.join(ROOT, 'configs/auxskd', name + '.py'))
    assert cfg.model.type == 'AuxSKD'
    assert ('R3D' in name.upper()) == (cfg.model.backbone.type == 'ResNet3d')
    for pipeline in (cfg.train_pipeline,
                     cfg.train_dataloader.dataset.pipeline):
        views = [t for t in pipeline if t['type'] == 'MultiViewClips']
        assert len(views) == 1
        assert all(views[0]['sampler'][k] == v for k, v in sampler.items())


def test_predict_relative_speed_and_the_appearance_readout():
    """Every triplet: the relative-speed prediction with both similarities;
    the instance readout's triplets also: q_A of the anchor and of the
    same-speed clip, by the query encoder."""
    from mmaction.structures import ActionDataSample
    model = build_model().eval()
    x = triplets()
    samples = [ActionDataSample(metainfo=dict(instance_seed=0, sample_idx=i)
                                if i == 1 else {}) for i in range(B)]
    samples = model(x, samples, mode='predict')
    for s in samples:
        score = s.pred_relspeed_score
        assert score.shape == (2, ) and s.relspeed_label == 0
        assert int(s.pred_relspeed_label) == int(score[1] > score[0])
    assert ['view_embeddings' in s for s in samples] == [False, True,
                                                          False, False]
    with torch.no_grad():
        q_a = model.neck(model.backbone(x[1:2, :2].flatten(0, 1)))
    torch.testing.assert_close(samples[1].view_embeddings,
                               F.normalize(q_a, dim=1))

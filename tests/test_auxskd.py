"""auxSKD: loss (Eq. 1-3), teacher (EMA, no gradient), queue, hooks, chaining.

Tiny R(2+1)D-10 (8 base channels) on random 8x32x32 clips.
"""
import math
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmaction.registry import HOOKS, MODELS

from conftest import ROOT
from mmauxskd.models.utils import FeatureQueue, update_momentum_encoders

B, H, D = 4, 10, 16  # batch, queue size (not a multiple of B), embedding


def tiny_backbone():
    backbone = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/r2plus1d_r10.py')).backbone
    return dict(backbone, base_channels=8)  # 64 output channels


def build_model(queue_size=H, momentum=0.1, temps=(0.1, 0.05), **kwargs):
    model = MODELS.build(dict(
        type='AuxSKD',
        backbone=tiny_backbone(),
        neck=dict(type='VideoMLPNeck', in_channels=64, out_channels=D),
        predictor=dict(type='VideoMLPNeck', in_channels=D, hid_channels=32,
                       out_channels=D, num_layers=2, with_avg_pool=False),
        head=dict(type='SimilarityDistillHead', temp_student=temps[0],
                  temp_teacher=temps[1]),
        queue_size=queue_size, feat_dim=D, momentum=momentum, **kwargs))
    model.init_weights()
    return model.train()


def two_views(batch=B, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 2, 3, 8, 32, 32, generator=g)


def student_state(model):
    enc = torch.nn.Sequential(model.backbone, model.neck)
    return {k: v.detach().clone() for k, v in enc.state_dict().items()}


def fake_runner(model, it=0, max_iters=10):
    return SimpleNamespace(model=model, iter=it, max_iters=max_iters,
                           message_hub=MessageHub.get_current_instance())


# --- Eq. 1-3 -------------------------------------------------------------

@pytest.mark.parametrize('temp_s,temp_t', [(0.02, 0.02), (0.1, 0.02)])
def test_loss_is_eq_1_to_3(temp_s, temp_t):
    torch.manual_seed(0)
    head = MODELS.build(dict(type='SimilarityDistillHead',
                             temp_student=temp_s, temp_teacher=temp_t))
    student, teacher = torch.randn(5, D) * 3, torch.randn(5, D)
    anchors = F.normalize(torch.randn(H, D), dim=1)
    loss = head.loss(student, teacher, anchors)['loss_skd']

    expected = 0.
    for s, t in zip(student.double(), teacher.double()):
        s, t = s / s.norm(), t / t.norm()  # L2-normalised embeddings
        sim_s, sim_t = anchors.double() @ s, anchors.double() @ t
        p_t = torch.exp(sim_t / temp_t) / torch.exp(sim_t / temp_t).sum()
        p_s = torch.exp(sim_s / temp_s) / torch.exp(sim_s / temp_s).sum()
        expected += (p_t * (p_t.log() - p_s.log())).sum()  # KL(p_T || p_S)
    expected /= len(student)  # averaged over the batch
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert loss.item() > 0


def test_head_gradients_reach_only_the_student():
    head = MODELS.build(dict(type='SimilarityDistillHead'))
    student = torch.randn(3, D, requires_grad=True)
    teacher = torch.randn(3, D, requires_grad=True)
    anchors = F.normalize(torch.randn(H, D), dim=1).requires_grad_()
    head.loss(student, teacher, anchors)['loss_skd'].backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None and anchors.grad is None


# --- teacher ---------------------------------------------------------------

def test_teacher_starts_equal_and_never_gets_gradients():
    model = build_model()
    teacher = model.momentum_contrast.encoder
    anchor_queue = model.momentum_contrast.queue
    student = student_state(model)
    for key, value in teacher.module.state_dict().items():
        assert torch.equal(value, student[key]), key
    assert not any(p.requires_grad for p in teacher.parameters())

    grad_enabled = []
    teacher.register_forward_hook(
        lambda *_: grad_enabled.append(torch.is_grad_enabled()))
    update_momentum_encoders(model)
    losses = model(two_views(), mode='loss')
    losses['loss_skd'].backward()
    assert grad_enabled == [False]  # the teacher runs under no_grad
    assert anchor_queue.pending.grad_fn is None
    assert all(p.grad is None for p in teacher.parameters())
    for module in (model.backbone, model.neck, model.predictor):
        grads = [p.grad for p in module.parameters()]
        assert all(g is not None for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)


def test_teacher_follows_the_ema_formula_after_a_step():
    model = build_model(momentum=0.1)
    teacher = model.momentum_contrast.encoder
    wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.5))
    ema, queue = (HOOKS.build(dict(type=t)) for t in (
        'MomentumTeacherHook', 'AnchorQueueHook'))
    data = dict(inputs=list(two_views()), data_samples=None)

    ema.before_train_iter(fake_runner(model, 0), 0)
    model.train_step(data, wrapper)  # the student moves
    queue.after_train_iter(fake_runner(model, 0), 0)
    teacher_before = {k: v.clone() for k, v in
                      teacher.module.state_dict().items()}
    student = student_state(model)
    ema.before_train_iter(fake_runner(model, 1), 1)

    w, moved = 0.1, 0
    params = dict(teacher.module.named_parameters())
    for key, value in teacher.module.state_dict().items():
        if key in params:  # theta_T <- (1 - w) theta_T + w theta_S
            expected = (1 - w) * teacher_before[key] + w * student[key]
            torch.testing.assert_close(value, expected, rtol=1e-5,
                                       atol=1e-7)
            moved += not torch.equal(value, student[key])
        else:  # BN statistics: the student's
            assert torch.equal(value, student[key]), key
    assert moved > 0


def test_weights_loaded_after_init_reach_the_teacher_only_by_the_ema():
    """The first update is the EMA formula too (mmengine's EMA would copy
    the student): a backbone loaded after ``init_weights`` (load_from,
    --pretrained) leaves the teacher random, as RSPNet's key encoder after
    auxSKD must be (paper §4.3)."""
    model = build_model(momentum=0.1)
    teacher = model.momentum_contrast.encoder
    random_teacher = {k: v.clone() for k, v in
                      teacher.module.state_dict().items()}
    with torch.no_grad():  # as load_from would, after init_weights
        for p in model.backbone.parameters():
            p.add_(torch.randn_like(p))
    student = student_state(model)
    update_momentum_encoders(model)
    params = dict(teacher.module.named_parameters())
    for key in params:
        expected = 0.9 * random_teacher[key] + 0.1 * student[key]
        torch.testing.assert_close(params[key], expected, rtol=1e-5,
                                   atol=1e-6)
    assert int(teacher.steps) == 1


def test_momentum_schedule():
    hook = HOOKS.build(dict(type='MomentumTeacherHook', schedule='cosine'))
    assert hook.get_momentum(0.01, 0, 100) == pytest.approx(0.01)
    assert hook.get_momentum(0.01, 50, 100) == pytest.approx(0.005)
    assert hook.get_momentum(0.01, 100, 100) == pytest.approx(0, abs=1e-12)
    const = HOOKS.build(dict(type='MomentumTeacherHook', momentum=0.5))
    model = build_model()
    teacher = model.momentum_contrast.encoder
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    const.before_train_iter(fake_runner(model), 0)  # teacher == student
    model.backbone.conv1.conv.conv_s.weight.data += 1
    const.before_train_iter(fake_runner(model, 1), 1)
    key = '0.conv1.conv.conv_s.weight'
    torch.testing.assert_close(
        teacher.module.state_dict()[key],
        before['module.' + key] + 0.5)
    with pytest.raises(ValueError):
        HOOKS.build(dict(type='MomentumTeacherHook', schedule='linear'))


# --- queue -----------------------------------------------------------------

def test_queue_is_fifo_and_wraps_around():
    queue = FeatureQueue(size=7, dim=2)
    assert torch.allclose(queue.bank.norm(dim=1), torch.ones(7))
    items = torch.arange(40.).unsqueeze(1).repeat(1, 2)
    pushed = 0
    for n in (3, 3, 3, 3, 1, 5):  # batches that do not divide 7
        queue.enqueue(items[pushed:pushed + n])
        pushed += n
        if pushed >= 7:  # oldest first, newest last
            assert torch.equal(queue.ordered(), items[pushed - 7:pushed])
        else:
            assert torch.equal(queue.bank[:pushed], items[:pushed])
        assert int(queue.ptr) == pushed % 7
    queue.enqueue(items[pushed:pushed + 12])  # more than the queue holds
    pushed += 12
    assert torch.equal(queue.ordered(), items[pushed - 7:pushed])
    assert int(queue.ptr) == pushed % 7 and queue.ptr.dtype == torch.long


def test_loss_uses_the_queue_before_the_batch_then_enqueues():
    model = build_model()
    teacher = model.momentum_contrast.encoder
    anchor_queue = model.momentum_contrast.queue
    update_momentum_encoders(model)
    bank, ptr = anchor_queue.bank.clone(), int(anchor_queue.ptr)
    views = two_views()
    losses = model(views, mode='loss')
    assert torch.equal(anchor_queue.bank, bank)  # not yet
    with torch.no_grad():  # the loss against the old bank
        z_s = model.predictor(model.neck(model.backbone(views[:, 0])))
        z_t = teacher(views[:, 1])
        expected = model.head.loss(z_s, z_t, bank)['loss_skd']
    torch.testing.assert_close(losses['loss_skd'].detach(), expected)
    keys = anchor_queue.pending.clone()
    torch.testing.assert_close(keys, F.normalize(z_t, dim=1))
    assert anchor_queue.enqueue_pending() == B
    rows = [(ptr + i) % H for i in range(B)]
    assert torch.equal(anchor_queue.bank[rows], keys)
    assert int(anchor_queue.ptr) == (ptr + B) % H
    assert anchor_queue.enqueue_pending() == 0  # nothing twice


def test_missing_hooks_fail_loudly():
    model = build_model()
    with pytest.raises(RuntimeError, match='MomentumTeacherHook'):
        model(two_views(), mode='loss')
    update_momentum_encoders(model)
    model(two_views(), mode='loss')
    update_momentum_encoders(model)
    with pytest.raises(RuntimeError, match='AnchorQueueHook'):
        model(two_views(), mode='loss')
    with pytest.raises(ValueError, match='MultiViewClips'):
        model(two_views()[:, 0], mode='loss')


# --- checkpoint layout and chaining ----------------------------------------

def test_state_dict_and_chaining_into_a_recognizer(tmp_path):
    model = build_model()
    state = model.state_dict()
    for key in ('momentum_contrast.queue.bank', 'momentum_contrast.queue.ptr',
                'momentum_contrast.encoder.steps',
                'neck.mlp.0.weight', 'predictor.mlp.3.weight',
                'momentum_contrast.encoder.module.1.mlp.0.weight'):
        assert key in state
    backbone = {k: v for k, v in state.items() if k.startswith('backbone.')}
    assert len(backbone) == len(model.backbone.state_dict())
    ckpt = str(tmp_path / 'auxskd.pth')
    torch.save(dict(state_dict=state, meta=dict()), ckpt)

    # the next stages load backbone.* by name and shape (strict=False):
    # VSPP through its init_cfg, a stock Recognizer3D (whose constructor
    # takes no init_cfg in mmaction 1.2.0) through the attribute
    vspp = MODELS.build(dict(
        type='VSPP', backbone=tiny_backbone(),
        head=dict(type='VSPPHead', in_channels=64, num_paces=4,
                  num_segments=4),
        init_cfg=dict(type='Pretrained', checkpoint=ckpt)))
    recognizer = MODELS.build(dict(
        type='Recognizer3D', backbone=tiny_backbone(),
        cls_head=dict(type='I3DHead', in_channels=64, num_classes=4)))
    recognizer.init_cfg = dict(type='Pretrained', checkpoint=ckpt)
    for next_stage in (vspp, recognizer):
        next_stage.init_weights()
        loaded = {k: v for k, v in next_stage.state_dict().items()
                  if k.startswith('backbone.')}
        assert loaded.keys() == backbone.keys()
        for key, value in loaded.items():
            assert torch.equal(value, state[key]), key


def test_algorithm_1_with_hooks_reduces_the_loss():
    """A few real steps on a fixed batch: the student learns the teacher."""
    torch.manual_seed(0)
    model = build_model(queue_size=64, momentum=0.01)
    teacher = model.momentum_contrast.encoder
    anchor_queue = model.momentum_contrast.queue
    wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.05,
        momentum=0.9))
    ema, queue = (HOOKS.build(dict(type=t)) for t in (
        'MomentumTeacherHook', 'AnchorQueueHook'))
    data = dict(inputs=list(two_views(8)), data_samples=None)
    losses = []
    for it in range(6):
        ema.before_train_iter(fake_runner(model, it), it)
        losses.append(model.train_step(data, wrapper)['loss_skd'].item())
        queue.after_train_iter(fake_runner(model, it), it)
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0]
    assert int(teacher.steps) == 6
    assert int(anchor_queue.ptr) == 6 * 8 % 64

"""Regression tests for learning: the demo recipes must learn, fast.

A change that silently stops a stage from learning (a label that is not
packed, a gradient that does not flow, a teacher that does not move, an lr
schedule that sits at zero) fails here. Each test trains the demo config's
own model with the demo config's own optimiser settings on a fixed batch of
real clips from the tiny demo data, deterministically, in seconds.
"""
import math
import os.path as osp

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmaction.registry import HOOKS, MODELS, TRANSFORMS

from conftest import ROOT
from test_auxskd import fake_runner

VSPP = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'
AUXSKD = 'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'


def demo_batch(cfg, data, n):
    """``n`` samples of the config's training pipeline from tiny data."""
    pipeline = [TRANSFORMS.build(t) for t in cfg.train_pipeline]
    with open(osp.join(data, 'demo_unlabelled_list_videos.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()]
    samples = []
    for i in range(n):
        results = dict(filename=osp.join(data, 'videos', names[i % len(
            names)]), label=-1, start_index=0, modality='RGB')
        for t in pipeline:
            results = t(results)
        samples.append(results)
    return pseudo_collate(samples)


def sgd(cfg, model):
    """The config's optimiser (SGD, its lr, momentum and weight decay)."""
    opt = dict(cfg.optim_wrapper.optimizer)
    assert opt.pop('type') == 'SGD'
    return OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], **opt))


def test_vspp_demo_recipe_fits_clips_far_below_chance(tiny_data):
    """30 steps of the demo VSPP recipe on 8 clips: the pretext loss
    (CE_pace + CE_segment, chance 2 ln 4 = 2.77) falls below a third of
    chance, and both tasks fit the clips."""
    torch.manual_seed(0)
    np.random.seed(0)
    cfg = Config.fromfile(osp.join(ROOT, VSPP))
    # the recipe after its motion warm-up (its first steps see frame
    # differences, tests/test_motion_warmup.py): RGB in and out here
    assert cfg.model.data_preprocessor.warmup_iters > 0
    cfg.model.data_preprocessor.warmup_iters = 0
    model = MODELS.build(cfg.model)
    model.init_weights()
    batch = demo_batch(cfg, tiny_data, 8)
    # altered segments everywhere, so that both tasks have 8 targets
    for i, sample in enumerate(batch['data_samples']):
        sample.pace_label, sample.segment_label = 1 + i % 3, i % 4
    wrapper = sgd(cfg, model)
    chance = 2 * math.log(4)
    losses = []
    for _ in range(30):
        out = model.train_step(batch, wrapper)
        losses.append(out['loss_pace'].item() + out['loss_segment'].item())
    assert losses[0] > 0.8 * chance, losses[:3]
    assert min(losses[-3:]) < chance / 3, [round(x, 2) for x in losses]
    model.eval()
    with torch.no_grad():
        preds = model.test_step(batch)
    for task in ('pace', 'segment'):
        hits = [int(s.get(f'pred_{task}_label')) == int(s.get(f'{task}_label'))
                for s in preds]
        assert np.mean(hits) >= 0.75, (task, hits)


def similarity_kl(model, inputs):
    """KL(teacher || student) of the similarity distributions (Eq. 1-3)
    of ``inputs`` against the model's anchors, in eval-free train mode."""
    data = model.data_preprocessor(dict(inputs=list(inputs),
                                        data_samples=None), True)
    view_s, view_t = model._split_views(data['inputs'])
    with torch.no_grad():
        z_s = F.normalize(model.predictor(model.neck(model.backbone(
            view_s))), dim=1)
        z_t = F.normalize(model.momentum_contrast(view_t), dim=1)
        bank = model.momentum_contrast.queue.bank
        p_t = F.softmax(z_t @ bank.t() / model.head.temp_teacher, dim=1)
        log_p_s = F.log_softmax(z_s @ bank.t() / model.head.temp_student,
                                dim=1)
        return F.kl_div(log_p_s, p_t, reduction='batchmean').item()


def test_auxskd_demo_recipe_brings_the_student_to_the_teacher(tiny_data):
    """Algorithm 1 with the demo recipe (its model, momentum, lr, hooks) on
    a fixed batch of real two-view clips: the student's similarity
    distribution over the anchors moves measurably towards the teacher's
    (the KL the stage minimises more than halves)."""
    torch.manual_seed(0)
    np.random.seed(0)
    cfg = Config.fromfile(osp.join(ROOT, AUXSKD))
    model = MODELS.build(dict(cfg.model, queue_size=32)).train()
    model.init_weights()
    batch = demo_batch(cfg, tiny_data, 8)
    inputs = torch.stack(batch['inputs'])
    wrapper = sgd(cfg, model)
    hooks = [h for h in cfg.custom_hooks
             if h['type'] in ('MomentumTeacherHook', 'AnchorQueueHook')]
    ema, queue = (HOOKS.build(h) for h in hooks)
    for it in range(4):  # fill the queue with teacher embeddings
        ema.before_train_iter(fake_runner(model, it, 40), it)
        model.loss(model.data_preprocessor(
            dict(inputs=list(inputs), data_samples=None), True)['inputs'])
        queue.after_train_iter(fake_runner(model, it, 40), it)
    before = similarity_kl(model, inputs)
    for it in range(4, 40):
        ema.before_train_iter(fake_runner(model, it, 40), it)
        model.train_step(dict(inputs=list(inputs), data_samples=None),
                         wrapper)
        queue.after_train_iter(fake_runner(model, it, 40), it)
    after = similarity_kl(model, inputs)
    assert int(model.momentum_contrast.encoder.steps) == 40
    assert after < 0.5 * before, (before, after)

"""MomentumContrast: the momentum convention (online weight = 1 - m) is
enforced at build time, and the block's protocol, driven by the registered
hooks in a Runner, trains a third momentum model that AuxSKD and RSPNet
know nothing of."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmaction.registry import HOOKS

from mmauxskd.models.utils import MomentumContrast
from test_auxskd import build_model as build_auxskd
from test_rspnet import build_model as build_rspnet

B, D, K = 4, 3, 6  # batch, embedding, queue size (not a multiple of B)


@pytest.mark.parametrize('build', [build_auxskd, build_rspnet])
def test_old_momentum_convention_is_refused_with_the_key(build):
    with pytest.raises(ValueError, match=r'momentum.*0\.999.*momentum=0\.001'):
        build(momentum=0.999)
    build(momentum=0.5)  # the largest online weight allowed


def test_hook_refuses_the_old_convention_too():
    with pytest.raises(ValueError,
                       match=r'MomentumTeacherHook\.momentum=0\.01'):
        HOOKS.build(dict(type='MomentumTeacherHook', momentum=0.99))
    with pytest.raises(ValueError, match='end_momentum'):
        HOOKS.build(dict(type='MomentumTeacherHook', end_momentum=1.0))


class TinyMoCo(BaseModel):
    """MoCo in a few lines on the block: query encoder ``net``, keys from
    the block's EMA copy, InfoNCE against the queue. Records, per step,
    what the protocol promises to check it from outside."""

    def __init__(self, momentum):
        super().__init__()
        self.net = nn.Linear(5, D)
        self.momentum_contrast = MomentumContrast(self.query_encoder,
                                                  momentum, K, D)
        self.seen = []  # (online weight, key-encoder weight, bank, keys)

    def query_encoder(self):
        return self.net

    def forward(self, inputs, data_samples=None, mode='loss'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        block = self.momentum_contrast
        block.require_hooks()
        q = F.normalize(self.net(x), dim=1)
        with torch.no_grad():
            k = F.normalize(block(x + 0.01), dim=1)
        self.seen.append((self.net.weight.detach().clone(),
                          block.encoder.module.weight.clone(),
                          block.queue.bank.clone(), k))
        logits = torch.cat([(q * k).sum(1, keepdim=True),
                            q @ block.queue.bank.t()], 1) / 0.1
        block.enqueue_later(k)
        return dict(loss=F.cross_entropy(
            logits, logits.new_zeros(len(x), dtype=torch.long)))


def test_the_hooks_drive_a_third_model_through_the_block(tmp_path):
    torch.manual_seed(0)
    model = TinyMoCo(momentum=0.25)
    start = model.momentum_contrast.encoder.module.weight.clone()
    data = [dict(inputs=torch.randn(5)) for _ in range(2 * B)]
    runner = Runner(
        model=model, work_dir=str(tmp_path), default_scope='mmaction',
        train_dataloader=dict(
            dataset=data, batch_size=B, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(by_epoch=False, max_iters=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.5)),
        custom_hooks=[dict(type='MomentumTeacherHook'),
                      dict(type='AnchorQueueHook')],
        default_hooks=dict(checkpoint=None, logger=None),
        env_cfg=dict(dist_cfg=dict(backend='gloo')))
    runner.train()

    (w1, k1, bank1, keys1), (w2, k2, bank2, keys2) = model.seen
    block = model.momentum_contrast
    assert not torch.equal(w1, w2)  # the optimizer moved the query encoder
    # before each step: theta_k <- (1 - 0.25) theta_k + 0.25 theta_q
    torch.testing.assert_close(k1, 0.75 * start + 0.25 * w1)
    torch.testing.assert_close(k2, 0.75 * k1 + 0.25 * w2)
    assert int(block.encoder.steps) == 2
    # after each step: the step's keys enter the queue, FIFO
    assert torch.equal(bank2[:B], keys1) and torch.equal(bank2[B:],
                                                          bank1[B:])
    assert int(block.queue.ptr) == 2 * B % K
    assert torch.equal(block.queue.ordered()[-B:], keys2)

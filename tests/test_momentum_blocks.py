"""The shared blocks of the momentum pretexts (mmauxskd.models.utils and
ContrastiveHead), each against a direct computation; the queue's protocol
on 2 gloo processes."""
import os

import pytest
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from conftest import free_port
from mmauxskd.models.utils import (FeatureQueue, MomentumEncoder,
                                   enqueue_all_pending)


def online_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(),
                         nn.Linear(6, 3))


# --- MomentumEncoder --------------------------------------------------------

@pytest.mark.parametrize('w', [0.1, 0.5, 0.0])
def test_momentum_update_is_the_ema_formula(w):
    online = online_net()
    encoder = MomentumEncoder(online, momentum=0.01)
    assert not any(p.requires_grad for p in encoder.parameters())
    with pytest.raises(RuntimeError, match='MomentumTeacherHook'):
        encoder.require_update()
    for step in range(1, 3):
        old = {k: v.clone() for k, v in encoder.module.state_dict().items()}
        with torch.no_grad():  # the online network moves (an optimizer step)
            for p in online.parameters():
                p.add_(torch.randn_like(p))
        online(torch.randn(5, 4))  # and its BN statistics
        encoder.update(online, w)
        params = dict(online.named_parameters())
        for key, value in encoder.module.state_dict().items():
            if key in params:  # theta_k = (1 - w) theta_k + w theta_q
                expected = (1 - w) * old[key] + w * params[key].detach()
                torch.testing.assert_close(value, expected)
            else:  # buffers: the online network's
                assert torch.equal(value, online.state_dict()[key]), key
        assert int(encoder.steps) == step
        assert encoder.momentum == 0.01  # the default, never changed
    encoder.require_update()  # fresh once ...
    with pytest.raises(RuntimeError):
        encoder.require_update()  # ... then stale until the next update


def test_momentum_encoder_defaults_and_mmengine_api():
    online = online_net()
    encoder = MomentumEncoder(online, momentum=0.25)
    with torch.no_grad():
        for p in online.parameters():
            p.add_(1.0)
    before = {k: v.clone() for k, v in encoder.module.named_parameters()}
    encoder.update_parameters(online)  # the formula at step 0, no copy
    for key, value in encoder.module.named_parameters():
        expected = 0.75 * before[key] + 0.25 * dict(
            online.named_parameters())[key].detach()
        torch.testing.assert_close(value, expected)
    encoder.copy_from(online)
    for key, value in encoder.module.state_dict().items():
        assert torch.equal(value, online.state_dict()[key])
    assert set(encoder.state_dict()) == {'steps'} | {
        'module.' + k for k in online.state_dict()}
    with pytest.raises(ValueError, match='momentum'):
        MomentumEncoder(online, momentum=1.5)
    with pytest.raises(ValueError, match='parameters'):
        encoder.update(nn.Linear(4, 6))


# --- ContrastiveHead -------------------------------------------------------

@pytest.mark.parametrize('positives', [1, 2])
def test_contrastive_head_is_infonce(positives):
    torch.manual_seed(0)
    b, k, d, tau = 5, 7, 8, 0.2
    head = MODELS.build(dict(type='ContrastiveHead', temperature=tau,
                             loss_weight=0.5))
    q = F.normalize(torch.randn(b, d), dim=1).requires_grad_()
    keys = F.normalize(torch.randn(b, positives, d), dim=2)
    queue = F.normalize(torch.randn(k, d), dim=1).requires_grad_()
    pos, neg = head.similarities(q, keys, queue)
    assert pos.shape == (b, positives) and neg.shape == (b, k)
    out = head.loss(pos, neg)

    expected, hits, qd = 0., 0, q.detach()
    for p in range(positives):
        for i in range(b):
            s_pos = float(qd[i] @ keys[i, p]) / tau
            s_neg = [float(qd[i] @ n) / tau for n in queue.detach()]
            logsum = torch.logsumexp(torch.tensor([s_pos] + s_neg,
                                                  dtype=torch.float64), 0)
            expected += -(s_pos - logsum.item()) / b  # batch mean, P summed
            hits += s_pos > max(s_neg)
    assert out['loss_contrast'].item() == pytest.approx(0.5 * expected,
                                                        rel=1e-5)
    assert out['acc_contrast'].item() == pytest.approx(
        hits / (b * positives))
    out['loss_contrast'].backward()
    assert q.grad is not None and queue.grad is None  # the queue is data
    with pytest.raises(ValueError, match='temperature'):
        MODELS.build(dict(type='ContrastiveHead', temperature=0))


# --- FeatureQueue protocol on 2 processes -----------------------------------

SIZE, DIM = 5, 3
ROUNDS = ((2, 1), (3, 3))  # keys per rank in each step (unequal, wrapping)


def rank_keys(step, rank):
    """The keys rank ``rank`` hands in at step ``step`` (distinct values)."""
    n = ROUNDS[step][rank]
    return torch.arange(n * DIM, dtype=torch.float32).view(n, DIM) + \
        100 * step + 10 * rank


def _queue_worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.distributed.init_process_group('gloo', rank=rank, world_size=2)
    try:
        torch.manual_seed(0)  # the same initial bank on both ranks
        model = nn.Module()
        model.queue = FeatureQueue(SIZE, DIM)
        states = [model.queue.bank.clone()]
        for step in range(len(ROUNDS)):
            model.queue.require_enqueued()  # nothing left over
            model.queue.enqueue_later(rank_keys(step, rank))
            with pytest.raises(RuntimeError, match='AnchorQueueHook'):
                model.queue.require_enqueued()
            assert torch.equal(model.queue.bank, states[-1])  # not yet
            assert enqueue_all_pending(model) == (1, sum(ROUNDS[step]))
            states.append(model.queue.bank.clone())
        torch.save(dict(states=states, ptr=int(model.queue.ptr)),
                   os.path.join(out, f'rank{rank}.pth'))
    finally:
        torch.distributed.destroy_process_group()


def test_queue_gathers_all_ranks_after_the_step(tmp_path):
    mp.spawn(_queue_worker, args=(free_port(), str(tmp_path)), nprocs=2)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1)]
    # direct computation: a FIFO of SIZE rows fed rank 0's keys, then
    # rank 1's, step by step
    torch.manual_seed(0)
    bank = F.normalize(torch.randn(SIZE, DIM), dim=1)
    ptr, expected = 0, [bank.clone()]
    for step in range(len(ROUNDS)):
        for row in torch.cat([rank_keys(step, 0), rank_keys(step, 1)]):
            bank[ptr] = row
            ptr = (ptr + 1) % SIZE
        expected.append(bank.clone())
    for state in ranks:
        assert state['ptr'] == ptr
        for got, want in zip(state['states'], expected):
            torch.testing.assert_close(got, want)

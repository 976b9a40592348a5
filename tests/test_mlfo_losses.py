"""MLFO's losses (Eq. 2-13) against direct loop / numpy computations."""
import math

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS

from mmauxskd.models.heads.mlfo_graph_head import (combined_graph,
                                                   graph_loss,
                                                   instance_graph,
                                                   semantic_graph)
from mmauxskd.models.heads.mlfo_semantic_head import sinkhorn
from mmauxskd.models.heads.mlfo_temporal_head import (augmentation_contrast,
                                                      temporal_augment,
                                                      timestamp_retrieval)

TAU = 0.07
N, D = 6, 8


def h(u, v, tau=TAU):
    """exp(cos(u, v) / tau), float64."""
    u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
    return math.exp(u @ v / np.linalg.norm(u) / np.linalg.norm(v) / tau)


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def test_instance_loss_is_eq_2_3():
    z1, z2 = randn(N, D), randn(N, D, seed=1)
    out = MODELS.build(dict(type='MLFOInstanceHead')).loss(z1, z2)
    z = (z1.numpy(), z2.numpy())
    terms = []
    for i in range(N):
        for a in range(2):
            pos = h(z[0][i], z[1][i])
            den = pos + sum(h(z[a][i], z[0][j]) + h(z[a][i], z[1][j])
                            for j in range(N) if j != i)
            terms.append(-math.log(pos / den))
    assert out['loss_ins'].item() == pytest.approx(np.mean(terms), rel=1e-5)
    # identical views of distinct directions: every partner is found
    e = torch.eye(N, D)
    assert MODELS.build(dict(type='MLFOInstanceHead')).loss(
        e, e)['acc_ins'].item() == 1


def sinkhorn_numpy(scores, eps, iters):
    q = np.exp(np.asarray(scores, np.float64) / eps).T
    q = q / q.sum()
    k, b = q.shape
    for _ in range(iters):
        q = q / q.sum(1, keepdims=True) / k
        q = q / q.sum(0, keepdims=True) / b
    return (q * b).T


@pytest.mark.parametrize('iters', [1, 3])
def test_sinkhorn_matches_numpy_and_partitions(iters):
    scores = torch.nn.functional.normalize(randn(20, D), dim=1) @ \
        torch.nn.functional.normalize(randn(5, D, seed=2), dim=1).t()
    s = sinkhorn(scores, 0.05, iters)
    np.testing.assert_allclose(s.numpy(), sinkhorn_numpy(scores, 0.05, iters),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(s.sum(1).numpy(), 1, rtol=1e-5)
    # more iterations, closer to an equal partition over the 5 prototypes
    many = sinkhorn(scores, 0.05, 50)
    np.testing.assert_allclose(many.sum(0).numpy(), 20 / 5, rtol=1e-3)


def test_semantic_loss_is_eq_4_and_queue():
    head = MODELS.build(dict(type='MLFOSemanticHead', num_prototypes=5,
                             feat_dim=D, queue_size=16, loss_weight=1.0))
    q1, q2 = randn(N, D), randn(N, D, seed=1)
    losses, (s1, s2) = head.loss(q1, q2, enqueue=True)
    p = torch.nn.functional.normalize(head.prototypes.detach(), dim=1)
    c = [torch.nn.functional.normalize(q, dim=1) @ p.t() for q in (q1, q2)]
    s = [sinkhorn_numpy(x, 0.05, 3) for x in c]
    logp = [np.log(np.exp(x.numpy() / 0.1) /
                   np.exp(x.numpy() / 0.1).sum(1, keepdims=True)) for x in c]
    want = np.mean([-(s[0][i] * logp[1][i]).sum() - (s[1][i] * logp[0][i]).sum()
                    for i in range(N)])
    assert losses['loss_sem'].item() == pytest.approx(want, rel=1e-4)
    np.testing.assert_allclose(s1.numpy(), s[0], rtol=1e-4, atol=1e-6)
    # both views' scores were queued; with use_queue they shape the targets
    assert int(head.queue_filled) == 2 * N
    np.testing.assert_allclose(head.queue.bank[:2 * N].numpy(),
                               torch.cat(c).numpy(), rtol=1e-5, atol=1e-6)
    head.set_stage(freeze_prototypes=False, use_queue=True)
    past = head.queue.bank[:2 * N]  # the filled rows only
    with_queue = head.targets(c[0])
    np.testing.assert_allclose(
        with_queue.numpy(), sinkhorn_numpy(torch.cat([past, c[0]]), 0.05,
                                           3)[-N:], rtol=1e-4, atol=1e-6)
    # frozen prototypes get no gradient
    head.set_stage(freeze_prototypes=True, use_queue=True)
    head.prototypes.grad = None
    head.loss(q1.requires_grad_(), q2)[0]['loss_sem'].backward()
    assert head.prototypes.grad is None and q1.grad is not None


def w_paper(z1, z2):
    z = (z1, z2)
    w = np.zeros((N, N))
    for i in range(N):
        for j in range(N):
            w[i, j] = h(z1[i], z2[j]) if i == j else np.mean(
                [h(z[m][i], z[n][j]) for m in range(2) for n in range(2)])
    return w


@pytest.mark.parametrize('variant', ['code', 'paper'])
def test_instance_graph_both_w(variant):
    z1, z2 = randn(N, D).numpy(), randn(N, D, seed=1).numpy()
    eta = 0.12
    e = instance_graph(torch.tensor(z1), torch.tensor(z2), eta, TAU, variant)
    want = np.zeros((N, N))
    if variant == 'code':
        for i in range(N):
            row = np.array([h(z1[i], z2[j]) for j in range(N)])
            row /= row.sum()
            for j in range(N):
                if row[j] >= eta or i == j:
                    want[i, j] = row[j]
    else:
        w = w_paper(z1, z2)
        for i in range(N):
            for j in range(N):
                if w[i, j] / w[i].sum() >= eta:
                    want[i, j] = w[i, j]
        # the paper's W is known up to one factor: compare normalised rows
        e = e / e.sum(1, keepdim=True)
        want = want / want.sum(1, keepdims=True)
    np.testing.assert_allclose(e.numpy(), want, rtol=1e-4, atol=1e-7)
    assert (e.numpy() == 0).any()  # the threshold cut something


def test_semantic_and_combined_graph_eq_7_9():
    s1, s2 = torch.rand(N, 3), torch.rand(N, 3)
    e_sem = semantic_graph(s1, s2)
    lab = (s1 + s2).argmax(1).tolist()
    assert e_sem.tolist() == [[float(a == b) for b in lab] for a in lab]
    e_ins = torch.rand(N, N)
    e = combined_graph(e_ins, e_sem)
    for i in range(N):
        den = sum(e_ins[i, k] * e_sem[i, k] for k in range(N))
        for j in range(N):
            assert e[i, j].item() == pytest.approx(
                (e_ins[i, j] * e_sem[i, j] / den).item(), rel=1e-5)


@pytest.mark.parametrize('variant', ['code', 'paper'])
def test_graph_loss_eq_10(variant):
    e = combined_graph(torch.rand(N, N), torch.ones(N, N)).numpy()
    u1, u2 = randn(N, D).numpy(), randn(N, D, seed=1).numpy()
    got = graph_loss(torch.tensor(e), torch.tensor(u1), torch.tensor(u2),
                     TAU, variant).item()
    u = (u1, u2)
    total = 0
    for a in range(2):
        b = 1 - a
        for i in range(N):
            if variant == 'code':
                row = [h(u[a][i], u[b][j]) for j in range(N)]
            else:  # h(u_i^a, u_j^*) of Eq. 3
                row = [h(u1[i], u2[i]) if i == j else
                       h(u[a][i], u1[j]) + h(u[a][i], u2[j])
                       for j in range(N)]
            for j in range(N):
                total -= e[i, j] * math.log(row[j] / sum(row))
    want = total / 2 / (N * N if variant == 'code' else N)
    assert got == pytest.approx(want, rel=1e-5)


def test_graph_head_levels_and_onehot():
    head = MODELS.build(dict(type='MLFOGraphHead', graph='onehot',
                             levels=dict(low=0.3, mid=0.5)))
    z = randn(N, D)
    s = torch.rand(N, 4)
    levels = dict(low=(randn(N, D, seed=3), randn(N, D, seed=4)),
                  mid=(randn(N, D, seed=5), randn(N, D, seed=6)))
    out = head.loss(z, z, s, s, levels)
    assert set(out) == {'loss_graph_low', 'loss_graph_mid'}
    want = 0.3 * graph_loss(torch.eye(N), *levels['low'])
    assert out['loss_graph_low'].item() == pytest.approx(want.item())


@pytest.mark.parametrize('negatives', ['code', 'paper'])
def test_augmentation_contrast_eq_11_12(negatives):
    e1, e2 = randn(N, D).numpy(), randn(N, D, seed=1).numpy()
    aug = [randn(2, N, D, seed=2).numpy(), randn(2, N, D, seed=3).numpy()]
    got = augmentation_contrast(torch.tensor(e1), torch.tensor(e2),
                                [torch.tensor(a) for a in aug], TAU,
                                negatives).item()
    e = (e1, e2)
    terms = []
    for i in range(N):
        for a in range(2):
            pos = h(e1[i], e2[i])
            neg = sum(h(e[a][i], aug[a][k][i]) for k in range(2))
            if negatives == 'code':
                neg += sum(h(e[a][i], e[b][j]) for b in range(2)
                           for j in range(N) if j != i)
            terms.append(-math.log(pos / (pos + neg)))
    assert got == pytest.approx(np.mean(terms), rel=1e-5)


def test_temporal_augmentations():
    x = torch.arange(8.).reshape(1, 1, 8, 1, 1)
    assert temporal_augment(x, 'reverse').flatten().tolist() == list(
        range(7, -1, -1))
    y = temporal_augment(x, 'shuffle', torch.Generator().manual_seed(0))
    assert sorted(y.flatten().tolist()) == list(range(8))
    assert not torch.equal(x, y)


def test_timestamp_retrieval_eq_13():
    t = 4
    s0, s1, lg = (randn(N, D, t, seed=k).numpy() for k in range(3))
    got = timestamp_retrieval(*map(torch.tensor, (s0, s1, lg)), TAU).item()
    terms = []
    for i in range(N):
        for c, short in enumerate((s0, s1)):
            for step in range(t):
                # short clip c's step covers frames that the long clip's
                # step c * t / 2 + step // 2 covers
                pos = c * t // 2 + step // 2
                row = [h(short[i, :, step], lg[i, :, k]) for k in range(t)]
                terms.append(-math.log(row[pos] / sum(row)))
    assert got == pytest.approx(np.mean(terms), rel=1e-5)

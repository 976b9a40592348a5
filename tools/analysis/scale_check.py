"""Scale check: every method's parts whose size comes from the dataset or
the paper's hyper-parameters, built and run at the paper configs' sizes on
stand-in (random / synthetic) data.

Each part runs in its own process (forked from this one after the imports),
so that its wall time, CPU time (user + system: on a shared machine the
steadier figure) and peak resident memory (the process's high-water mark,
``ru_maxrss`` of the waited child) are its own, its gloo ranks included;
the memory figures include the ~0.4 GiB of interpreter and imports every
process holds (printed in the header). The sizes are read from the paper
configs (``Config.fromfile``); the ranks and per-GPU batch from their names
(``2xb15``), checked against ``train_dataloader.batch_size``; the number of
training videos from the training list the config names (Kinetics-400:
240,000; Kinetics-100: 33,000), which the repository does not hold.

Parts:

* ``queue-auxskd``, ``queue-rspnet``: the method's ``FeatureQueue``
  (``queue_size`` x ``feat_dim``) on the config's number of gloo ranks, each
  handing in its per-GPU batch of keys every step and pushing them as
  ``AnchorQueueHook`` does, until the queue has wrapped around (16,384 is
  not a multiple of 30: one push splits at the end); every rank's queue
  must equal a direct computation (the last ``queue_size`` keys of all
  pushes, in rank order);
* ``mlfo-semantic``: ``MLFOSemanticHead`` (prototypes, score queue) at the
  global batch (ranks x per-GPU batch), steps until the score queue wraps;
  Sinkhorn's targets against a direct float64 computation, the queue's
  content, the prototypes' gradient;
* ``vi2clr-clustering``: ``Vi2CLRClusterHook.compute`` (FINCH's second
  partition, centroids, phi) on the training set's number of embeddings,
  made by ``tools/benchmarks/finch.py``'s generator;
* ``vi2clr-centernce``: CenterNCE at the per-GPU batch against the warm-up
  bank (one "centroid" per video) and against N/20 clusters (FINCH gives
  11-12K at 240K); ``ClusterState`` saved and loaded strictly at that size;
* ``vi2clr-sampler``: ``ClusterAwareSampler`` over the training set for
  every rank, N/20 clusters: coverage, lengths, same-cluster groups;
* ``dataset-<method>-k400``: the config's training dataset object over a
  training-list-sized list (start-up: the list check and MMAction2's
  parsing) and its sampler's epoch order for rank 0;
* ``model-<method>-<backbone>``: the paper config through mmengine's
  ``Runner`` (its hooks, optimiser, checkpoint hook) for one training step
  at batch 2 on synthetic videos (the config's pipeline, no validation,
  loader and clustering processes 0), the checkpoint's size, then a second
  ``Runner`` resuming from it: its model and optimiser state must equal the
  first's, and the checkpoint's state dict must load strictly. On a machine
  with CUDA the Runner trains there and the part reports the step's
  ``torch.cuda.max_memory_allocated``; ``--model-batch paper`` gives each
  config its per-GPU batch (``tools/benchmarks/gpu_check.sh`` runs that).

``--quick`` (the CI subset) runs the same code at small sizes: 2,400
videos, queues of ``queue_size / 64``, and each method's demo config (an
8-channel R(2+1)D-10 on 32x32 crops) for its model part. The process exits
non-zero if a part fails (its error and the tail of its log are printed).

    python tools/analysis/scale_check.py                  # paper sizes
    python tools/analysis/scale_check.py --quick          # CI sizes
    python tools/analysis/scale_check.py --parts 'queue-*' 'model-vspp-*' \\
        --out scale.json --markdown
    python tools/analysis/scale_check.py --parts 'model-*' --model-batch paper
"""
import argparse
import contextlib
import copy
import datetime
import fnmatch
import functools
import json
import math
import os
import os.path as osp
import platform
import re
import runpy
import shutil
import signal
import sys
import tempfile
import time
import traceback

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

#: training videos of the lists the configs name (not in the repository)
LIST_VIDEOS = {'kinetics400': 240_000, 'kinetics100': 33_000}
QUICK_VIDEOS = 2_400
QUICK_QUEUE_DIVISOR = 64
MODEL_BATCH = 2  # the smallest batch every method trains on (BatchNorm1d)

#: method: (R(2+1)D-10 paper config, R3D-18 paper config, demo config)
METHODS = {
    'vspp': ('vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
             'vspp/vspp_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
             'vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'),
    'vcop': ('vcop/vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py',
             'vcop/vcop_r3d-18_2xb15-3x16x8-200e_k100-rgb.py',
             'vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py'),
    'videopace': (
        'videopace/videopace_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
        'videopace/videopace_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
        'videopace/videopace_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'
    ),
    'rspnet': ('rspnet/rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py',
               'rspnet/rspnet_r3d-18_2xb15-3x16-200e_k100-rgb.py',
               'rspnet/rspnet_r2plus1d-r10-w8_1xb16-3x16-1600it_demo-rgb.py'),
    'auxskd': ('auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py',
               'auxskd/auxskd_r3d-18_2xb15-2x16-20e_k100-rgb.py',
               'auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'),
    'mlfo': ('mlfo/mlfo_r2plus1d-r10_2xb15-3x16-20e_k100-rgb.py',
             'mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py',
             'mlfo/mlfo_r2plus1d-r10-w8_1xb16-3x16-600it_demo-rgb.py'),
    'vi2clr': ('vi2clr/vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py',
               'vi2clr/vi2clr_r3d-18_8xb64-32x128-300e_k400-rgb.py',
               'vi2clr/vi2clr_r2plus1d-r10-w8_1xb16-16x32-1200it_demo-rgb.py'),
}
#: the Kinetics-400 paper configs whose training dataset is checked
K400 = {
    'vspp': 'vspp/vspp_r3d-18_2xb15-16x1x1-20e_k400-rgb.py',
    'auxskd': 'auxskd/auxskd_r3d-18_2xb15-2x16-20e_k400-rgb.py',
    'mlfo': 'mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py',
    'vi2clr': 'vi2clr/vi2clr_r3d-18_8xb64-32x128-300e_k400-rgb.py',
}
QUEUES = {'auxskd': METHODS['auxskd'][0], 'rspnet': METHODS['rspnet'][0]}


# ------------------------------------------------------------- config sizes
_configs = {}


def load_config(rel):
    """The config ``configs/<rel>`` (read once)."""
    if rel not in _configs:
        from mmengine.config import Config
        _configs[rel] = Config.fromfile(osp.join(ROOT, 'configs', rel))
    return _configs[rel]


def train_dataset(cfg):
    """The training dataset dict (inside wrappers)."""
    from mmauxskd.cfg import loader_datasets
    return next(d for split, d in loader_datasets(cfg) if split == 'train')


def layout(rel):
    """``(ranks, per-GPU batch)`` of a paper config: its name's ``NxbM``,
    which must agree with ``train_dataloader.batch_size``."""
    m = re.search(r'_(\d+)xb(\d+)-', osp.basename(rel))
    if not m:
        raise ValueError(f'{rel}: no <gpus>xb<batch> in the name')
    batch = load_config(rel).train_dataloader.batch_size
    if batch != int(m[2]):
        raise ValueError(f'{rel}: the name says {m[2]} per GPU, '
                         f'train_dataloader.batch_size is {batch}')
    return int(m[1]), batch


def list_videos(rel):
    """Lines of the training list a config names (``LIST_VIDEOS``)."""
    ann = train_dataset(load_config(rel))['ann_file']
    for key, n in LIST_VIDEOS.items():
        if key in ann:
            return n
    raise ValueError(f'{rel}: unknown training list {ann} (LIST_VIDEOS)')


def custom_hook(cfg, type_):
    return copy.deepcopy(next(h for h in cfg.custom_hooks
                              if h['type'] == type_))


# -------------------------------------------------------------- helpers
@functools.lru_cache(None)
def tool_script(rel):
    """The names a ``tools/`` script defines (run as a module: its
    ``main`` does not run)."""
    return runpy.run_path(osp.join(ROOT, 'tools', rel))


def rss_gib():
    """This process's resident memory in GiB (finch.py's reading)."""
    return tool_script('benchmarks/finch.py')['resident']('VmRSS')


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def check(condition, message):
    if not condition:
        raise AssertionError(message)


@contextlib.contextmanager
def as_rank(rank, world):
    """Samplers built inside see themselves as ``rank`` of ``world`` (they
    read ``get_dist_info`` when built); no process group is made."""
    from unittest import mock

    import mmengine.dataset.sampler as mm_sampler

    from mmauxskd.datasets import cluster_sampler
    info = lambda: (rank, world)  # noqa: E731
    with mock.patch.object(mm_sampler, 'get_dist_info', info), \
            mock.patch.object(cluster_sampler, 'get_dist_info', info):
        yield


def stand_in_labels(num, clusters, seed=0):
    """``(num,)`` cluster labels, every one of ``clusters`` used, sizes
    uneven (a few large clusters, many small ones, as FINCH's)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.5, clusters) + 0.1
    rest = rng.choice(clusters, num - clusters, p=weights / weights.sum())
    return np.concatenate([np.arange(clusters), rest])[rng.permutation(num)]


# -------------------------------------------------------------- the queues
def _keys(step, rank, world, batch, dim):
    """The stand-in keys rank ``rank`` hands in at ``step``."""
    import torch
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(step * world + rank)
    return F.normalize(torch.randn(batch, dim, generator=g), dim=1)


def _queue_rank(rank, world, port, size, dim, batch, steps, out):
    import torch
    import torch.nn as nn

    from mmauxskd.models.utils import FeatureQueue, enqueue_all_pending
    result = dict(rank=rank)
    try:
        torch.distributed.init_process_group(  # a rank that fails ends
            'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
            world_size=world, timeout=datetime.timedelta(seconds=120))
        torch.manual_seed(0)  # the same initial bank on every rank
        holder = nn.Module()
        holder.queue = FeatureQueue(size, dim)
        initial = holder.queue.bank.clone()
        with Timer() as t:
            for step in range(steps):
                holder.queue.require_enqueued()
                holder.queue.enqueue_later(_keys(step, rank, world, batch,
                                                 dim))
                queues, pushed = enqueue_all_pending(holder)  # the hook's
                check(queues == 1 and pushed == world * batch,
                      f'step {step}: pushed {pushed}, not {world * batch}')
        # direct computation: every push in step and rank order after the
        # initial bank; the queue is the newest ``size`` rows of that
        keys = torch.cat([_keys(s, r, world, batch, dim)
                          for s in range(steps) for r in range(world)])
        expected = torch.cat([initial, keys])[-size:]
        got = holder.queue.ordered()
        wrong = (got != expected).any(1).nonzero().flatten().tolist()
        check(not wrong,
              f'rank {rank}: {len(wrong)} of {size} queue rows differ from '
              f'the direct computation (the first: row {wrong[:1]} from the '
              'oldest)')
        check(int(holder.queue.ptr) == len(keys) % size,
              f'rank {rank}: ptr {int(holder.queue.ptr)}, expected '
              f'{len(keys) % size}')
        result.update(ok=True, enqueue_s=t.seconds, ptr=int(holder.queue.ptr))
    except Exception as err:  # reported by the part
        result.update(ok=False, error=f'{type(err).__name__}: {err}',
                      traceback=traceback.format_exc())
    finally:
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        with open(osp.join(out, f'rank{rank}.json'), 'w') as f:
            json.dump(result, f)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def part_queue(tmp, size, dim, world, batch):
    """The queue on ``world`` gloo ranks (forked), until it has wrapped."""
    import multiprocessing
    ctx = multiprocessing.get_context('fork')
    step_keys = world * batch
    steps = size // step_keys + 1  # the last push crosses the end
    port = free_port()
    procs = [ctx.Process(target=_queue_rank, args=(
        r, world, port, size, dim, batch, steps, tmp)) for r in range(world)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    results = []
    for r, p in enumerate(procs):
        path = osp.join(tmp, f'rank{r}.json')
        check(osp.exists(path), f'rank {r} exited with {p.exitcode} and '
              'no result')
        with open(path) as f:
            results.append(json.load(f))
    for res in results:
        if not res['ok']:
            print(res['traceback'])
            raise AssertionError(res['error'])
    split = size % step_keys
    return dict(
        steps=steps, ptr=results[0]['ptr'],
        enqueue_s=max(r['enqueue_s'] for r in results),
        summary=f'{steps} pushes of {world}x{batch} keys; every rank\'s '
        f'queue = direct computation; wrapped ('
        + (f'{size} = {size // step_keys}x{step_keys} + {split}: the last '
           'push split at the end' if split else 'at a push boundary')
        + f'), ptr {results[0]["ptr"]}')


# ------------------------------------------------------------------- MLFO
def direct_sinkhorn(scores, epsilon, iterations):
    """SwAV's equal-partition assignment in float64, by its definition:
    ``Q = exp(S / eps)``, then alternately every prototype's total mass set
    to 1/K and every sample's to 1/B; returns each sample's distribution."""
    q = (scores.double() / epsilon).exp()
    q = q / q.sum()
    b, k = q.shape
    for _ in range(iterations):
        q = q / (k * q.sum(0, keepdim=True))
        q = q / (b * q.sum(1, keepdim=True))
    return q * b


def part_mlfo_semantic(tmp, head, batch):
    """MLFO's semantic head at the global batch until the queue wraps."""
    import torch
    from mmaction.registry import MODELS
    torch.manual_seed(0)
    head = MODELS.build(head)
    k, dim = head.prototypes.shape
    qsize = head.queue.size
    head.set_stage(freeze_prototypes=False, use_queue=True)
    steps = qsize // (2 * batch) + 1  # both views' scores are queued
    worst = 0.0
    with Timer() as t:
        for step in range(steps):
            q1, q2 = (torch.randn(batch, dim, requires_grad=True)
                      for _ in range(2))
            past = head.queued_scores()
            past = None if past is None else past.clone()
            head.prototypes.grad = None
            losses, (s1, s2) = head.loss(q1, q2, enqueue=True)
            loss = losses['loss_sem']
            loss.backward()
            check(torch.isfinite(loss), f'step {step}: loss {loss}')
            grad = head.prototypes.grad
            check(grad is not None and torch.isfinite(grad).all()
                  and grad.abs().sum() > 0,
                  f'step {step}: no finite prototype gradient')
            with torch.no_grad():
                c1, c2 = head.scores(q1), head.scores(q2)
            for s, c in ((s1, c1), (s2, c2)):
                full = c if past is None else torch.cat([past, c])
                expected = direct_sinkhorn(full, head.epsilon,
                                           head.iterations)[-batch:]
                err = float((s.double() - expected).abs().max())
                worst = max(worst, err)
                check(err < 1e-4, f'step {step}: Sinkhorn differs from the '
                      f'direct computation by {err:.2e}')
                check(torch.allclose(s.sum(1), torch.ones(batch), atol=1e-5),
                      f'step {step}: a target does not sum to 1')
            newest = head.queue.ordered()[-2 * batch:]
            check(torch.allclose(newest, torch.cat([c1, c2])),
                  f'step {step}: the queue does not end with the scores')
    filled = int(head.queue_filled)
    check(filled == steps * 2 * batch and filled > qsize,
          f'queue filled {filled}, expected {steps * 2 * batch} > {qsize}')
    return dict(steps=steps, seconds=t.seconds, sinkhorn_max_err=worst,
                summary=f'{k} prototypes, batch {batch}, Sinkhorn over '
                f'{qsize} queued + {batch} rows = float64 direct '
                f'computation (max err {worst:.1e}); {steps} steps, queue '
                'wrapped, holds the newest scores; prototype gradient finite')


# ------------------------------------------------------------------ Vi2CLR
def part_vi2clr_clustering(tmp, hook, num, dim):
    """The cluster hook's rank-0 computation on ``num`` embeddings."""
    import numpy as np
    from mmaction.registry import HOOKS

    from mmauxskd.models.utils.clustering import cluster_purity
    # tools/benchmarks/finch.py's stand-in embeddings
    clustered = tool_script('benchmarks/finch.py')['clustered']
    feats, classes = clustered(num, dim, 400, 30, 0)
    hook = HOOKS.build(hook)
    before = rss_gib()
    with Timer() as t:
        labels, centroids, phi = hook.compute(feats, hook.warmup_epochs)
    k = len(phi)
    check(labels.shape == (num, ) and labels.min() == 0
          and labels.max() == k - 1
          and (np.bincount(labels, minlength=k) > 0).all(),
          'labels are not 0..k-1, each used')
    check(centroids.shape == (k, dim) and np.allclose(
        np.linalg.norm(centroids, axis=1), 1, atol=1e-5),
        'centroids are not k unit vectors')
    check(abs(phi.mean() - hook.temperature) < 1e-5 * hook.temperature
          and (phi > 0).all(), f'phi mean {phi.mean()}, not '
          f'{hook.temperature}')
    purity = cluster_purity(labels, classes)
    return dict(clusters=k, purity=purity, compute_s=t.seconds,
                gib_before=before,
                summary=f'{num} x {dim} -> {k} clusters (partition '
                f'{hook.partition}), purity {purity:.3f} vs the 400 classes; '
                f'compute {t.seconds:.0f} s')


def _direct_center_nce(feats, targets, centroids, phi):
    import torch.nn.functional as F
    r = F.normalize(feats.double(), dim=1)
    c = F.normalize(centroids.double(), dim=1)
    logits = r @ c.t() / phi.double()[None]
    return (logits.logsumexp(1) - logits.gather(1, targets[:, None])[:, 0]
            ).mean()


def part_vi2clr_centernce(tmp, head, num, dim, batch, temperature):
    """CenterNCE against the warm-up bank and N/20 clusters; the cluster
    state at that size saved and loaded strictly."""
    import io

    import torch
    import torch.nn.functional as F
    from mmaction.registry import MODELS

    from mmauxskd.models.utils.cluster_state import ClusterState
    torch.manual_seed(0)
    head = MODELS.build(head)
    k = num // 20
    state = ClusterState()
    cases = dict(
        bank=(torch.arange(num), F.normalize(torch.randn(num, dim), dim=1),
              torch.full((num, ), temperature), True),
        clusters=(torch.as_tensor(stand_in_labels(num, k)),
                  F.normalize(torch.randn(k, dim), dim=1),
                  temperature * (0.5 + torch.rand(k)), False))
    out = {}
    for name, (labels, centroids, phi, transient) in cases.items():
        state.set(labels, centroids, phi, epoch=0, transient=transient)
        idx = torch.randint(num, (batch, ))
        feats = torch.randn(batch, dim, requires_grad=True)
        targets = state.labels[idx]
        with Timer() as t:
            loss = head.loss(feats, targets, state.centroids,
                             state.phi)['loss_center_nce']
            loss.backward()
        direct = float(_direct_center_nce(feats.detach(), targets,
                                          state.centroids, state.phi))
        check(abs(float(loss) - head.loss_weight * direct)
              < 1e-4 * max(1, abs(direct)),
              f'{name}: loss {float(loss)}, direct {direct}')
        check(torch.isfinite(feats.grad).all(), f'{name}: gradient')
        saved = state.state_dict()
        buf = io.BytesIO()
        torch.save(saved, buf)
        fresh = ClusterState()
        fresh.load_state_dict(torch.load(io.BytesIO(buf.getvalue())),
                              strict=True)
        if transient:  # the bank is not saved: a resumed run rebuilds it
            check(not fresh.assigned, 'the warm-up bank was saved')
        else:
            for key, value in state.state_dict().items():
                check(torch.equal(value, fresh.state_dict()[key]),
                      f'{key} differs after the round trip')
        out[name] = dict(entries=len(centroids), loss_s=t.seconds,
                         saved_mib=len(buf.getvalue()) / 2**20)
    b, c = out['bank'], out['clusters']
    return dict(out, summary=f'batch {batch}: vs the bank of {num} '
                f'({b["loss_s"]:.2f} s) and vs {k} clusters '
                f'({c["loss_s"]:.2f} s) = float64 direct computation; state '
                f'{c["saved_mib"]:.1f} MiB, loads strictly and equal (the '
                'bank: not saved)')


def part_vi2clr_sampler(tmp, sampler, num, world, batch):
    """ClusterAwareSampler's epoch for every rank, N/20 clusters."""
    import numpy as np
    from mmaction.registry import DATA_SAMPLERS
    k = num // 20
    labels = stand_in_labels(num, k)
    orders, seconds = [], []
    for rank in range(world):
        with as_rank(rank, world):
            s = DATA_SAMPLERS.build(dict(sampler, dataset=range(num), seed=0))
        s.set_clusters(labels)
        s.set_epoch(1)
        with Timer() as t:
            order = list(iter(s))
        seconds.append(t.seconds)
        check(len(order) == len(s), f'rank {rank}: {len(order)} indices, '
              f'len() {len(s)}')
        orders.append(np.asarray(order))
    m = s.per_cluster
    check(batch % m == 0, f'batch {batch} is not whole groups of {m}')
    seen = np.unique(np.concatenate(orders))
    check(len(seen) == num, f'{num - len(seen)} videos never drawn')
    groups = np.concatenate([o.reshape(-1, m) for o in orders])
    same = (labels[groups] == labels[groups][:, :1]).all(1).sum()
    # every cluster of size n gives n // m same-cluster groups at least
    least = (np.bincount(labels) // m).sum()
    check(same >= least, f'{same} same-cluster groups, expected >= {least}')
    return dict(clusters=k, order_s=max(seconds), same_groups=int(same),
                summary=f'{num} videos, {k} clusters, {world} ranks: every '
                f'video drawn, len() right, {same} same-cluster groups of '
                f'{m} (>= {least}); one rank\'s epoch order '
                f'{max(seconds):.2f} s')


# ---------------------------------------------------------------- datasets
def write_list(path, num, classes=400):
    """A Kinetics-like training list of ``num`` lines."""
    with open(path, 'w') as f:
        for i in range(num):
            c = i % classes
            f.write(f'class_{c:03d}/{i:011d}_000000_000010.mp4 {c}\n')


def part_dataset(tmp, dataset, sampler, num, world):
    """The config's training dataset object over a ``num``-line list, and
    its sampler's epoch for rank 0 of ``world``."""
    from mmaction.registry import DATA_SAMPLERS, DATASETS
    ann = osp.join(tmp, 'train_list.txt')
    write_list(ann, num)
    root = osp.join(tmp, 'videos')
    os.makedirs(root)
    dataset = dict(copy.deepcopy(dataset), ann_file=ann,
                   data_prefix=dict(video=root))
    before = rss_gib()
    with Timer() as build:
        ds = DATASETS.build(dataset)
    held = rss_gib() - before
    check(len(ds) == num, f'{len(ds)} samples of {num} lines')
    last = ds.get_data_info(num - 1)['filename']
    check(last.endswith(f'{num - 1:011d}_000000_000010.mp4'),
          f'last sample {last}')
    with as_rank(0, world):
        s = DATA_SAMPLERS.build(dict(sampler, dataset=ds, seed=0))
    with Timer() as order:
        n = sum(1 for _ in s)
    check(n == math.ceil(num / world) or n == len(s),
          f'rank 0 drew {n} indices')
    return dict(build_s=build.seconds, held_gib=held, order_s=order.seconds,
                summary=f'{type(ds).__name__} of {num} lines built in '
                f'{build.seconds:.1f} s (+{held:.2f} GiB resident, '
                f'labelled={ds.labelled}); {type(s).__name__} rank 0 of '
                f'{world}: {n} indices in {order.seconds:.2f} s')


# ------------------------------------------------------------------ models
def make_videos(out, size, frames):
    """Two synthetic ``size`` x ``size`` mp4 videos of ``frames`` frames
    (the demo generator's) in ``out``."""
    tool_script('data/make_demo_data.py')['main']([
        '--out', out, '--num-unlabelled', '2', '--num-pretext-val', '0',
        '--num-train', '0', '--num-val', '0', '--num-test', '0', '--size',
        str(size), '--min-frames', str(frames), '--max-frames', str(frames)])


def stand_in_run(cfg, work_dir, videos, batch):
    """``cfg`` training one epoch of one step of ``batch`` on the
    synthetic ``videos``, without validation, with one process."""
    lst = osp.join(work_dir, 'list.txt')
    os.makedirs(work_dir, exist_ok=True)
    with open(lst, 'w') as f:
        f.writelines(f'unlabelled/unlabelled_{i % 2:04d}.mp4 0\n'
                     for i in range(batch))
    cfg.work_dir = work_dir
    cfg.train_dataloader.update(batch_size=batch, num_workers=0,
                                persistent_workers=False)
    train_dataset(cfg).update(ann_file=lst,
                              data_prefix=dict(video=osp.join(videos,
                                                              'videos')))
    for split in ('val', 'test'):
        for key in (f'{split}_dataloader', f'{split}_cfg',
                    f'{split}_evaluator'):
            cfg[key] = None
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1)
    cfg.default_hooks.checkpoint.update(interval=1, by_epoch=True)
    for hook in cfg.custom_hooks:
        if hook['type'] == 'Vi2CLRClusterHook':
            hook.update(num_workers=0, batch_size=batch)
    cfg.log_level = 'WARNING'
    return cfg


def part_model(tmp, config, videos, batch):
    """One training step through the Runner, the checkpoint, a resume."""
    import torch
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from mmauxskd.utils.checkpoint import load_from_local_weights_only

    class StepTimer(Hook):
        gpu_peak_gib = None

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            if torch.cuda.is_available():
                torch.cuda.reset_peak_memory_stats()
            self.start = time.perf_counter()

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
                self.gpu_peak_gib = torch.cuda.max_memory_allocated() / 2**30
            self.end = time.perf_counter()
            self.losses = {k: float(v.detach() if torch.is_tensor(v) else v)
                           for k, v in (outputs or {}).items()}

    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    stand_in_run(cfg, osp.join(tmp, 'train'), videos, batch)
    with Timer() as build:
        runner = Runner.from_cfg(copy.deepcopy(cfg))
    timer = StepTimer()
    runner.register_hook(timer, 'LOWEST')
    with Timer() as train:
        runner.train()
    step_s, save_s = timer.end - timer.start, time.perf_counter() - timer.end
    bad = [k for k, v in timer.losses.items() if not math.isfinite(v)]
    check(timer.losses and not bad, f'losses {timer.losses}')
    ckpt = osp.join(cfg.work_dir, 'epoch_1.pth')
    check(osp.exists(ckpt), 'no epoch_1.pth written')
    size_mib = osp.getsize(ckpt) / 2**20
    params = sum(p.numel() for p in runner.model.parameters())

    resumed = copy.deepcopy(cfg)
    resumed.update(work_dir=osp.join(tmp, 'resume'), resume=True,
                   load_from=ckpt)
    with Timer() as resume:
        again = Runner.from_cfg(resumed)
        again.load_or_resume()
    check(again.epoch == 1 and again.iter == 1,
          f'resumed at epoch {again.epoch}, iter {again.iter}')
    state = load_from_local_weights_only(ckpt)['state_dict']
    again.model.load_state_dict(state, strict=True)
    mine, theirs = runner.model.state_dict(), again.model.state_dict()
    check(mine.keys() == theirs.keys(), 'state dict keys differ')
    differ = [k for k in mine if not torch.equal(mine[k], theirs[k])]
    check(not differ, f'{len(differ)} tensors differ after the resume, '
          f'e.g. {differ[:3]}')
    opt_a = runner.optim_wrapper.state_dict()['state']
    opt_b = again.optim_wrapper.state_dict()['state']
    check(len(opt_a) == len(opt_b) and all(
        torch.equal(v, opt_b[i][n]) for i, s in opt_a.items()
        for n, v in s.items() if torch.is_tensor(v)),
        'optimizer state differs after the resume')
    gpu = timer.gpu_peak_gib
    return dict(params=params, ckpt_mib=size_mib, build_s=build.seconds,
                train_s=train.seconds, step_s=step_s, save_s=save_s,
                resume_s=resume.seconds, losses=timer.losses, batch=batch,
                gpu_peak_gib=gpu, device=str(next(
                    runner.model.parameters()).device),
                summary=f'{params / 1e6:.1f}M parameters; step '
                f'{step_s:.1f} s' + ('' if gpu is None else
                                     f' (GPU peak {gpu:.2f} GiB)')
                + f', checkpoint {size_mib:.0f} MiB (save '
                f'{save_s:.1f} s), resume {resume.seconds:.1f} s: '
                f'{len(mine)} tensors and the optimizer state equal, loads '
                'strictly')


# --------------------------------------------------------------- catalogue
class Part:
    """One check: ``fn(tmp, **kwargs)`` in its own process."""

    def __init__(self, name, configs, sizes, fn, **kwargs):
        self.name, self.configs, self.sizes = name, configs, sizes
        self.fn, self.kwargs = fn, kwargs


def catalogue(quick=False, names=None, model_batch=MODEL_BATCH):
    """The parts, with their sizes read from the configs; ``names``
    (fnmatch patterns): only those (configs of the others are not read);
    ``model_batch``: the model parts' batch, or ``'paper'`` for each
    config's per-GPU batch."""
    parts = []

    def wanted(name):
        return not names or any(fnmatch.fnmatch(name, p) for p in names)

    def videos(rel):
        return QUICK_VIDEOS if quick else list_videos(rel)

    for method, rel in QUEUES.items():
        name = f'queue-{method}'
        if not wanted(name):
            continue
        model = load_config(rel).model
        size = model.queue_size // (QUICK_QUEUE_DIVISOR if quick else 1)
        world, batch = layout(rel)
        parts.append(Part(name, [rel], f'{size} x {model.feat_dim}, {world} '
                          f'ranks x {batch}', part_queue, size=size,
                          dim=model.feat_dim, world=world, batch=batch))
    rel = METHODS['mlfo'][1]
    if wanted('mlfo-semantic'):
        world, batch = layout(rel)
        head = load_config(rel).model.semantic_head
        parts.append(Part(
            'mlfo-semantic', [rel], f'{head.num_prototypes} prototypes, '
            f'queue {head.queue_size}, batch {world}x{batch}',
            part_mlfo_semantic, head=head, batch=world * batch))
    rel = K400['vi2clr']
    if any(wanted(n) for n in ('vi2clr-clustering', 'vi2clr-centernce',
                               'vi2clr-sampler')):
        cfg, n = load_config(rel), videos(rel)
        world, batch = layout(rel)
        hook = custom_hook(cfg, 'Vi2CLRClusterHook')
        dim = cfg.feat_dim
        if wanted('vi2clr-clustering'):
            parts.append(Part('vi2clr-clustering', [rel], f'{n} x {dim}',
                              part_vi2clr_clustering, hook=hook, num=n,
                              dim=dim))
        if wanted('vi2clr-centernce'):
            parts.append(Part(
                'vi2clr-centernce', [rel], f'{n} videos, {n // 20} clusters, '
                f'batch {batch}', part_vi2clr_centernce,
                head=cfg.model.center_head, num=n, dim=dim, batch=batch,
                temperature=hook.temperature))
        if wanted('vi2clr-sampler'):
            parts.append(Part(
                'vi2clr-sampler', [rel], f'{n} videos, {n // 20} clusters, '
                f'{world} ranks x {batch}', part_vi2clr_sampler,
                sampler=cfg.train_dataloader.sampler, num=n, world=world,
                batch=batch))
    for method, rel in K400.items():
        name = f'dataset-{method}-k400'
        if not wanted(name):
            continue
        cfg, n = load_config(rel), videos(rel)
        world, _ = layout(rel)
        parts.append(Part(name, [rel], f'{n} lines, {world} ranks',
                          part_dataset, dataset=train_dataset(cfg),
                          sampler=cfg.train_dataloader.sampler, num=n,
                          world=world))
    for method, (r21d, r3d, demo) in METHODS.items():
        chosen = [('demo', demo)] if quick else [('r2plus1d-r10', r21d),
                                                 ('r3d-18', r3d)]
        for backbone, rel in chosen:
            name = f'model-{method}-{backbone}'
            if wanted(name):
                batch = layout(rel)[1] if model_batch == 'paper' else \
                    int(model_batch)
                parts.append(Part(name, [rel], f'batch {batch}', part_model,
                                  config=rel, batch=batch))
    return parts


# ------------------------------------------------------------------ running
def run_forked(fn, tmp, timeout, **kwargs):
    """``fn(tmp, **kwargs)`` in a forked child whose output goes to
    ``tmp/part.log``; returns ``(result or None, error or None, seconds,
    CPU seconds, peak resident GiB)``: the child's figures, its own
    children's (gloo ranks) included."""
    os.makedirs(tmp, exist_ok=True)
    out, log = osp.join(tmp, 'result.json'), osp.join(tmp, 'part.log')
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the part
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            signal.alarm(timeout)  # SIGALRM ends it
            result = fn(tmp, **kwargs)
            with open(out, 'w') as f:
                json.dump(dict(ok=True, result=result), f, default=float)
            code = 0
        except BaseException as err:
            traceback.print_exc()
            with open(out, 'w') as f:
                json.dump(dict(ok=False, error=f'{type(err).__name__}: '
                               f'{err}'), f)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    figures = (seconds, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss / 2**20)  # KiB on Linux
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        why = (f'timed out after {timeout} s' if sig == signal.SIGALRM else
               f'killed by signal {sig}' + (' (out of memory?)'
                                            if sig == signal.SIGKILL else ''))
        return (None, why) + figures
    try:
        with open(out) as f:
            res = json.load(f)
    except (OSError, ValueError):
        return (None, f'exited with {os.WEXITSTATUS(status)}, no '
                'result') + figures
    return ((res['result'], None) if res['ok'] else
            (None, res['error'])) + figures


def machine():
    """One line naming this machine."""
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            model = next(x.split(':', 1)[1].strip() for x in f
                         if x.startswith('model name'))
    except (OSError, StopIteration):
        pass
    mem = float('nan')
    try:
        with open('/proc/meminfo') as f:
            mem = int(next(x for x in f if x.startswith('MemTotal')).split()
                      [1]) / 2**20
    except (OSError, StopIteration):
        pass
    return f'{os.cpu_count()} cores ({model}), {mem:.0f} GiB'


def table(rows, markdown=False):
    """The rows as text (or a markdown table)."""
    head = ('part', 'config(s)', 'sizes', 'time (s)', 'CPU (s)',
            'peak RSS (GiB)', 'result')
    lines = []
    for r in rows:
        configs = ', '.join(osp.basename(c)[:-3] for c in r['configs'])
        result = r['summary'] if r['ok'] else f'FAILED: {r["error"]}'
        lines.append((r['part'], configs, r['sizes'], f'{r["seconds"]:.1f}',
                      f'{r["cpu_s"]:.1f}', f'{r["peak_gib"]:.2f}', result))
    if markdown:
        out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        out += ['| ' + ' | '.join(c.replace('|', '/') for c in line) + ' |'
                for line in lines]
        return '\n'.join(out)
    return '\n'.join('  '.join(line) for line in [head] + lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--parts', nargs='+', metavar='PATTERN',
                        help='only these parts (names or fnmatch patterns, '
                        "e.g. 'queue-*'); --list lists them")
    parser.add_argument('--quick', action='store_true',
                        help='the CI sizes (see above)')
    parser.add_argument('--list', action='store_true',
                        help='list the parts with their sizes and exit')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--markdown', action='store_true',
                        help='print the final table as markdown')
    parser.add_argument('--model-batch', default=str(MODEL_BATCH),
                        help='batch of the model parts: a number (default '
                        f'{MODEL_BATCH}) or "paper", each config\'s per-GPU '
                        'batch (on a GPU machine: the peak GPU memory per '
                        'paper config, tools/benchmarks/gpu_check.sh)')
    parser.add_argument('--timeout', type=int, default=3600,
                        help='seconds a part may run (default 3600)')
    parser.add_argument('--work-dir', help='keep the parts\' files here '
                        '(default: a temporary folder, removed)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # the imports every part needs, once, before the parts are forked (no
    # computation runs here, so the forked processes start clean)
    import torch
    import torch._dynamo  # noqa: F401  (imported by the first optimizer)
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner  # noqa: F401

    import mmauxskd  # noqa: F401
    with contextlib.suppress(ImportError):  # the Runner's visualizer's
        import matplotlib.figure  # noqa: F401
    init_default_scope('mmaction')
    if args.model_batch != 'paper' and not args.model_batch.isdigit():
        raise SystemExit(f'--model-batch: a number or "paper", got '
                         f'{args.model_batch!r}')
    parts = catalogue(args.quick, args.parts, args.model_batch)
    if not parts:
        raise SystemExit(f'no part matches {args.parts}')
    if args.list:
        for p in parts:
            print(f'{p.name}  {p.sizes}  ({", ".join(p.configs)})')
        return 0
    load = os.getloadavg()
    info = dict(
        date=datetime.datetime.now().isoformat(timespec='seconds'),
        machine=machine(), torch=torch.__version__,
        torch_threads=torch.get_num_threads(), quick=args.quick,
        baseline_gib=rss_gib(), load_start=load,
        command=' '.join(['python', 'tools/analysis/scale_check.py']
                         + (argv if argv is not None else sys.argv[1:])))
    print(f'scale check ({"quick" if args.quick else "paper"} sizes) on '
          f'{info["machine"]}; torch {torch.__version__}, '
          f'{info["torch_threads"]} threads; load average {load[0]:.1f}; '
          f'each process holds {info["baseline_gib"]:.2f} GiB of imports '
          'before its part', flush=True)
    work = args.work_dir or tempfile.mkdtemp(prefix='scale_check_')
    rows, code = [], 0
    try:
        if any(p.fn is part_model for p in parts):
            videos = osp.join(work, 'videos')
            size, frames = (64, 64) if args.quick else (128, 128)
            err = run_forked(make_videos, videos, args.timeout, size=size,
                             frames=frames)[1]
            if err:
                raise SystemExit(f'making the synthetic videos failed: {err}'
                                 f' ({osp.join(videos, "part.log")})')
            for p in parts:
                if p.fn is part_model:
                    p.kwargs['videos'] = videos
        for p in parts:
            tmp = osp.join(work, p.name)
            result, err, seconds, cpu, peak = run_forked(
                p.fn, tmp, args.timeout, **p.kwargs)
            row = dict(part=p.name, configs=p.configs, sizes=p.sizes,
                       ok=err is None, seconds=seconds, cpu_s=cpu,
                       peak_gib=peak)
            if err is None:
                row.update(result, summary=result['summary'])
                print(f'{p.name}: ok, {seconds:.1f} s ({cpu:.1f} s CPU), '
                      f'peak {peak:.2f} GiB: {result["summary"]}', flush=True)
            else:
                code = 1
                row['error'] = err
                tail = ''
                with contextlib.suppress(OSError):
                    with open(osp.join(tmp, 'part.log'),
                              errors='replace') as f:
                        tail = ''.join(f.readlines()[-25:])
                print(f'{p.name}: FAILED after {seconds:.1f} s: {err}\n'
                      f'--- last lines of its log ---\n{tail}', flush=True)
            rows.append(row)
            if not args.work_dir:  # checkpoints of GiBs: not kept
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    info['load_end'] = os.getloadavg()
    print()
    print(table(rows, args.markdown))
    failed = [r['part'] for r in rows if not r['ok']]
    print(f'\n{len(rows) - len(failed)} of {len(rows)} parts passed'
          + (f'; FAILED: {", ".join(failed)}' if failed else '')
          + f'; load average {info["load_start"][0]:.1f} at the start, '
          f'{info["load_end"][0]:.1f} at the end')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(info, parts=rows), f, indent=1, default=float)
    return code


if __name__ == '__main__':
    sys.exit(main())

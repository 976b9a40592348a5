"""Save and restore random number generator states with checkpoints."""
import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmaction.registry import HOOKS

from ...datasets.robust import robust_datasets
from .resume_point import checkpoint_position, resumed_from


def get_rng_states():
    """Python, numpy and torch (CPU and CUDA) generator states of this rank."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_states(state):
    """Inverse of :func:`get_rng_states`."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np.random.set_state(tuple(state['numpy']))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state['cuda']])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make ``--resume`` continue exactly as if the run was never stopped.

    mmengine restores weights, optimizer, schedulers and the message hub, but
    not the generators behind augmentation, dropout and random sampling: a
    resumed run then draws other numbers than the uninterrupted one. This
    hook stores every rank's states in ``checkpoint['meta']['rng_states']``
    (a list indexed by rank, gathered on all ranks) and restores this rank's
    entry when training resumes from it (``before_train``, after
    ``runner.resume()``; a ``load_from`` without ``--resume`` keeps the
    run's own states).

    Validation runs after the epoch's checkpoint and would draw numbers
    that a resumed run never draws (its dataloader iterator takes a seed from
    torch's generator), so the hook also makes validation leave the states as
    it found them.

    Dataloader workers (``num_workers > 0``, persistent or not) are made
    independent of when they were started, before every training epoch:

    * the robust training datasets (inside ``RepeatDataset`` /
      ``ConcatDataset`` too) are told the run's seed, the epoch and the
      rank (:meth:`~mmauxskd.datasets.robust.RobustDatasetMixin.
      set_worker_epoch`); each worker re-seeds its python, numpy and torch
      generators from them and its worker id before its first sample of the
      epoch. Persistent workers would otherwise carry their generators from
      epoch to epoch, and a resumed run's fresh workers would start from
      another state. Batches go to the workers in turn from worker 0 every
      epoch, so the same samples meet the same generators.
    * the training loader gets its own ``torch.Generator`` (seeded from the
      run's seed) unless it has one: making a loader's iterator draws a
      seed from it, otherwise from torch's global generator; with
      persistent workers that happens once per process, at the first epoch
      it trains, so a resumed run would draw one number more from the
      global generator (dropout and every later draw would shift).

    Workers of a training loader without a robust dataset are not re-seeded;
    with persistent workers the hook warns once. (Workers that are not
    persistent start every epoch from mmengine's seeding, the same in both
    runs.)

    Resumption is exact from the epoch-end checkpoints the configs write:
    mmengine's epoch loop restarts a mid-epoch checkpoint's epoch from its
    first batch.
    """

    # before CheckpointHook (VERY_LOW), which saves on the main rank only
    priority = 'LOW'

    def __init__(self):
        self._states = None
        self._loaded = None  # (position, states) of a loaded checkpoint
        self._warned = False

    def _gather(self):
        states = get_rng_states()
        self._states = all_gather_object(states) if get_world_size() > 1 \
            else [states]

    def before_train_epoch(self, runner):
        loader = runner.train_dataloader
        if loader.generator is None:
            loader.generator = torch.Generator().manual_seed(runner.seed)
        datasets = list(robust_datasets(loader.dataset))
        for dataset in datasets:
            dataset.set_worker_epoch(runner.seed, runner.epoch, get_rank())
        if not datasets and loader.persistent_workers and not self._warned:
            self._warned = True
            runner.logger.warning(
                f'RandomStateHook: the training dataset '
                f'({type(loader.dataset).__name__}) holds no robust dataset '
                '(RobustVideoDataset, RobustRawframeDataset), so its '
                'persistent dataloader workers are not re-seeded each epoch '
                'and --resume is not exact (persistent_workers=False is)')

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        hook = next((h for h in runner.hooks
                     if isinstance(h, CheckpointHook)), None)
        if hook is None or hook.by_epoch:
            return
        if self.every_n_train_iters(runner, hook.interval, hook.save_begin) \
                or (hook.save_last and self.is_last_train_iter(runner)):
            self._gather()

    def after_train_epoch(self, runner):
        self._gather()  # all ranks, once an epoch, before the save

    def before_save_checkpoint(self, runner, checkpoint):
        if self._states is not None:
            checkpoint.setdefault('meta', {})['rng_states'] = self._states

    def before_val(self, runner):
        self._before_val = get_rng_states()

    def after_val(self, runner):
        set_rng_states(self._before_val)

    def after_load_checkpoint(self, runner, checkpoint):
        states = checkpoint.get('meta', {}).get('rng_states')
        self._loaded = (checkpoint_position(checkpoint), states)

    def before_train(self, runner):
        if self._loaded is None:
            return
        position, states = self._loaded
        self._loaded = None
        if not states or not resumed_from(runner, position):
            return
        rank = get_rank()
        if rank < len(states):
            set_rng_states(states[rank])
        else:
            runner.logger.warning(
                f'checkpoint holds random states of {len(states)} ranks; '
                f'rank {rank} keeps its own (world size changed)')

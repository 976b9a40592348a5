"""Save and restore random number generator states with checkpoints."""
import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmaction.registry import HOOKS

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

    Dataloader workers keep their own generators: with ``num_workers > 0``,
    use ``persistent_workers=False`` for exact resumption (workers are then
    re-seeded from the run's seed every epoch).
    """

    # before CheckpointHook (VERY_LOW), which saves on the main rank only
    priority = 'LOW'

    def __init__(self):
        self._states = None
        self._loaded = None  # (position, states) of a loaded checkpoint

    def _gather(self):
        states = get_rng_states()
        self._states = all_gather_object(states) if get_world_size() > 1 \
            else [states]

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

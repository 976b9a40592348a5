"""Did the run resume from the checkpoint a hook was shown? (public API)"""

__all__ = ['checkpoint_position', 'resumed_from']


def checkpoint_position(checkpoint):
    """``(epoch, iter)`` of the training loop stored in ``checkpoint``'s
    meta, or None (a checkpoint not written by a training run)."""
    meta = checkpoint.get('meta') or {}
    if 'epoch' not in meta or 'iter' not in meta:
        return None
    return int(meta['epoch']), int(meta['iter'])


def resumed_from(runner, position):
    """True when the training loop continues from ``position`` (from
    :func:`checkpoint_position` in ``after_load_checkpoint``).

    mmengine calls ``after_load_checkpoint`` both for ``load_from`` (weights
    only) and for ``--resume``; only ``runner.resume()`` then sets the
    loop's counters to the checkpoint's. Called from ``before_train``
    (after the load), this tells the two apart with the runner's public
    ``epoch`` and ``iter``.
    """
    return position is not None and (runner.epoch, runner.iter) == position

"""Weights-only checkpoint loading with an explicit allowlist.

Breakage 3: torch >= 2.6 loads with ``weights_only=True`` by default, while
mmengine 0.10.7 calls ``torch.load`` without the argument and writes
checkpoints that hold ``HistoryBuffer`` and numpy objects, so ``load_from``,
``--resume`` and ``tools/test.py`` fail with ``UnpicklingError``. Turning the
protection off (``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` or
``weights_only=False``) would let any checkpoint run arbitrary code.

Instead, mmengine's local-file loader (the one ``load_from``, ``--resume``,
``init_cfg=dict(type='Pretrained')`` and ``tools/test.py`` go through) is
replaced by one that keeps ``weights_only=True`` and allows exactly the
non-tensor types mmengine itself writes. Anything else is refused with
:class:`UnsafeCheckpointError`, naming the file and the offending globals.
"""
import inspect
import os.path as osp

import numpy as np
import torch

__all__ = [
    'UnsafeCheckpointError', 'safe_checkpoint_globals',
    'register_safe_checkpoint_globals', 'safe_torch_load',
    'install_safe_checkpoint_loader', 'prefixed_tensors', 'extract_submodule',
    'load_backbone_weights'
]

_EXTRA = []


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint asks to unpickle a global outside the allowlist."""


def _numpy_globals():
    """numpy objects that mmengine's HistoryBuffer and meta hold.

    Arrays pickle as ``_reconstruct(ndarray, ...)`` plus a ``dtype`` (and, in
    numpy 2, a per-dtype class); scalars as ``scalar(dtype, bytes)``. Files
    written under numpy 1 name ``numpy.core.multiarray``; numpy 2 names
    ``numpy._core.multiarray``: both spellings are allowed.
    """
    from numpy._core import multiarray
    allowed = [np.ndarray, np.dtype]
    for name in ('_reconstruct', 'scalar'):
        fn = getattr(multiarray, name)
        allowed += [(fn, f'numpy._core.multiarray.{name}'),
                    (fn, f'numpy.core.multiarray.{name}')]
    allowed += [getattr(np.dtypes, n) for n in dir(np.dtypes)
                if n.endswith('DType')]
    return allowed


def _history_buffer_getattr(obj, name):
    """Stands in for ``builtins.getattr`` while unpickling.

    ``HistoryBuffer.__getstate__`` stores its statistics methods, which
    pickle as ``getattr(HistoryBuffer, 'min')``. A general ``getattr`` would
    open the sandbox (``__globals__`` and so on); this one resolves only
    HistoryBuffer's own statistics methods.
    """
    from mmengine.logging import HistoryBuffer
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)  # registered ones
    if obj is HistoryBuffer and name in allowed and inspect.isfunction(
            getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    raise UnsafeCheckpointError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics methods are allowed')


def safe_checkpoint_globals():
    """The allowlist: mmengine's own types, numpy, and registered extras."""
    from mmengine.logging import HistoryBuffer
    return ([HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')] +
            _numpy_globals() + list(_EXTRA))


def register_safe_checkpoint_globals(*objs):
    """Allow more types, for a plugin that stores its own in checkpoints.

    Only register classes whose unpickling runs no code of the file's
    choosing (plain data containers).
    """
    _EXTRA.extend(objs)


def safe_torch_load(filename, map_location=None):
    """``torch.load(weights_only=True)`` with the allowlist.

    Raises:
        FileNotFoundError: no such file.
        UnsafeCheckpointError: the file needs a global outside the allowlist.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    with torch.serialization.safe_globals(safe_checkpoint_globals()):
        try:
            return torch.load(
                filename, map_location=map_location, weights_only=True)
        except Exception as err:  # torch raises UnpicklingError here
            if 'weights_only' not in str(err).lower() and \
                    'unsupported global' not in str(err).lower():
                raise
            try:
                bad = torch.serialization.get_unsafe_globals_in_checkpoint(
                    filename)
            except Exception:  # not a zip checkpoint: keep torch's text
                bad = []
            allowed = {
                g[1] if isinstance(g, tuple) else
                f'{g.__module__}.{g.__qualname__}'
                for g in safe_checkpoint_globals()
            }
            bad = [b for b in bad if b not in allowed] or [str(err)]
            raise UnsafeCheckpointError(
                f'refusing to load checkpoint {filename}: it needs the '
                f'pickled global(s) {", ".join(bad)}, which are not on '
                "mmauxskd's weights-only allowlist. Checkpoints written by "
                'mmengine/mmauxskd never need them; a file that does may run '
                'arbitrary code when loaded. If you trust and need such a '
                'type, register it with mmauxskd.utils.checkpoint.'
                'register_safe_checkpoint_globals.') from None


def install_safe_checkpoint_loader():
    """Make mmengine's local-path checkpoint scheme use :func:`safe_torch_load`.

    Idempotent. Affects every ``CheckpointLoader.load_checkpoint`` call on a
    local path: ``Runner.load_checkpoint``/``resume``, ``load_from``,
    ``Pretrained`` init, ``tools/test.py``.
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    if CheckpointLoader._schemes.get('') is load_from_local_weights_only:
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_weights_only, force=True)


def load_from_local_weights_only(filename, map_location=None):
    """mmengine ``CheckpointLoader`` scheme (logged as 'local_weights_only')."""
    return safe_torch_load(filename, map_location)


def prefixed_tensors(checkpoint, prefix='backbone.'):
    """The tensors of ``checkpoint`` whose names start with ``prefix``.

    Names are kept whole; a ``module.`` prefix (a checkpoint saved from a
    DDP-wrapped model) is dropped first. Loads through mmengine's
    ``CheckpointLoader``, so a local path goes through :func:`safe_torch_load`.

    Raises:
        KeyError: no tensor under ``prefix`` (the message lists the
            checkpoint's top-level names, to pick the right prefix).
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    state = {k[7:] if k.startswith('module.') else k: v
             for k, v in state.items()}
    picked = {k: v for k, v in state.items() if k.startswith(prefix)}
    if not picked:
        raise KeyError(
            f'{checkpoint} has no tensor named {prefix}*; its tensors start '
            f'with {sorted({k.split(".")[0] for k in state})}: pass the '
            'prefix of its backbone (e.g. student.backbone.)')
    return picked


def extract_submodule(src, dst, prefix='backbone.', as_prefix=None):
    """Write the ``prefix`` tensors of checkpoint ``src`` to ``dst``.

    The keys keep their prefix, so ``load_from = dst`` (or
    ``tools/train.py --pretrained src``) initialises exactly that submodule
    of any model with the same prefix, e.g. the backbone of a stock
    ``Recognizer3D`` from a VSPP or auxSKD checkpoint, while every other
    part (the classifier) keeps its own random initialisation.

    ``as_prefix`` renames them (e.g. Vi2CLR's ``image_backbone.*`` ->
    ``backbone.*`` for a ``Recognizer2D``).

    Raises:
        KeyError: ``src`` holds no tensor under ``prefix``.
    """
    picked = prefixed_tensors(src, prefix)
    if as_prefix is not None:
        picked = {as_prefix + k[len(prefix):]: v for k, v in picked.items()}
    torch.save(dict(state_dict=picked, meta=dict(source=src, prefix=prefix)),
               dst)
    return len(picked)


def load_backbone_weights(model, checkpoint, prefix='backbone.'):
    """Load the ``prefix*`` tensors of ``checkpoint`` into ``model.backbone``
    (strictly; through :func:`prefixed_tensors`, so weights-only).

    Returns:
        int: the number of tensors loaded.

    Raises:
        KeyError: the checkpoint has no such tensor.
        RuntimeError: the backbone's and the checkpoint's tensors differ
            (missing, unexpected or differently shaped).
    """
    from mmengine.logging import print_log
    backbone = {k[len(prefix):]: v
                for k, v in prefixed_tensors(checkpoint, prefix).items()}
    model.backbone.load_state_dict(backbone, strict=True)
    print_log(f'loaded {len(backbone)} backbone tensors ({prefix}*) from '
              f'{checkpoint}', logger='current')
    return len(backbone)

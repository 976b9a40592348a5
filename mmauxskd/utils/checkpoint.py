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
import re
import os.path as osp

import numpy as np
import torch

__all__ = [
    'UnsafeCheckpointError', 'safe_checkpoint_globals',
    'register_safe_checkpoint_globals', 'safe_torch_load',
    'install_safe_checkpoint_loader', 'prefixed_tensors', 'extract_submodule',
    'load_backbone_weights', 'CheckpointMismatchError', 'state_dict_fit',
    'check_state_dict_fits', 'checkpoint_state_dict'
]

_EXTRA = []


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint asks to unpickle a global outside the allowlist."""


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's tensors do not fit the model it is loaded into."""


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
            error = err
    raise _unsafe_error(filename, error) from None


def _unsafe_error(filename, err):
    """The refusal of ``filename``: what it holds, never torch's advice to
    load it with ``weights_only=False`` (which would run its code)."""
    legacy = False
    try:
        bad = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # not a zip checkpoint: torch's text names the global
        legacy = True
        bad = re.findall(r'unsupported\s+(?:global:\s+)?GLOBAL\s+([\w.]+)',
                         str(err), re.I)
    allowed = {
        g[1] if isinstance(g, tuple) else f'{g.__module__}.{g.__qualname__}'
        for g in safe_checkpoint_globals()
    }
    bad = list(dict.fromkeys(b for b in bad if b not in allowed))
    kind = ('a legacy-format (non-zip) torch file' if legacy else
            'a torch checkpoint')
    holds = (f'the pickled global(s) {", ".join(bad)}' if bad else
             'pickled objects other than tensors and the types mmengine '
             'writes')
    return UnsafeCheckpointError(
        f'refusing to load checkpoint {filename}: it is {kind} holding '
        f"{holds}, which are not on mmauxskd's weights-only allowlist. "
        'Unpickling them can run code of the file\'s choosing, so the file '
        'is refused for safety. Checkpoints written by mmengine/mmauxskd '
        'never need them; use a checkpoint from a source that writes plain '
        'weights (a plugin that stores a plain-data class of its own may '
        'allowlist that class with mmauxskd.utils.checkpoint.'
        'register_safe_checkpoint_globals).')


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
    state = checkpoint_state_dict(
        CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu'))
    picked = {k: v for k, v in state.items() if k.startswith(prefix)}
    if not picked:
        raise KeyError(
            f'{checkpoint} has no tensor named {prefix}*; its tensors start '
            f'with {sorted({k.split(".")[0] for k in state})}: pass the '
            'prefix of its backbone (e.g. image_backbone. for Vi2CLR\'s 2D '
            'encoder)')
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


def state_dict_fit(model_state, ckpt_state, prefix=''):
    """How the tensors of a checkpoint fit a model, under ``prefix``.

    Args:
        model_state (dict): the model's ``state_dict()``.
        ckpt_state (dict): the checkpoint's tensors, named as the model's
            (a ``module.`` prefix already dropped).
        prefix (str): compare only the names starting with it (``''``: the
            whole model; ``'backbone.'``: the backbone).

    Returns:
        dict: ``missing`` (model names the checkpoint lacks),
        ``unexpected`` (checkpoint names the model lacks) and
        ``mismatched`` (``(name, checkpoint shape, model shape)``), each in
        the model's (or checkpoint's) order, and ``matched``, the count of
        tensors that fit.
    """
    ours = {k: v for k, v in model_state.items() if k.startswith(prefix)}
    theirs = {k: v for k, v in ckpt_state.items() if k.startswith(prefix)}
    shape = lambda v: tuple(getattr(v, 'shape', ()))  # noqa: E731
    mismatched = [(k, shape(theirs[k]), shape(v)) for k, v in ours.items()
                  if k in theirs and shape(theirs[k]) != shape(v)]
    return dict(
        missing=[k for k in ours if k not in theirs],
        unexpected=[k for k in theirs if k not in ours],
        mismatched=mismatched,
        matched=sum(k in theirs for k in ours) - len(mismatched))


def _first(names, n=5):
    more = f', ... ({len(names) - n} more)' if len(names) > n else ''
    return ', '.join(names[:n]) + more


def check_state_dict_fits(model_state, ckpt_state, source, prefix='',
                          allow_partial=False, hint=''):
    """Refuse a checkpoint whose tensors do not fit the model.

    Every model tensor under ``prefix`` must be in the checkpoint with the
    model's shape, and the checkpoint may hold no other tensor under
    ``prefix``: otherwise the model would run with part of its weights
    random (mmengine's non-strict load only warns).

    Args:
        model_state (dict): the model's ``state_dict()``.
        ckpt_state (dict): the checkpoint's tensors (see
            :func:`state_dict_fit`).
        source (str): the checkpoint, for the message.
        prefix (str): the part of the model to check (``''``: all of it).
        allow_partial (bool): a deliberate partial load: log the same
            summary as a warning instead of raising.
        hint (str): appended to the message (what to do instead).

    Returns:
        dict: :func:`state_dict_fit`'s result.

    Raises:
        CheckpointMismatchError: naming the counts and the first few names
            (with both shapes for a mismatch).
    """
    fit = state_dict_fit(model_state, ckpt_state, prefix)
    if not (fit['missing'] or fit['unexpected'] or fit['mismatched']):
        return fit
    part = f'{prefix}* tensors' if prefix else 'tensors'
    total = fit['matched'] + len(fit['missing']) + len(fit['mismatched'])
    lines = [f'checkpoint {source} does not fit the model: '
             f'{fit["matched"]} of the model\'s {total} {part} fit']
    if fit['missing']:
        lines.append(f'{len(fit["missing"])} missing from the checkpoint: '
                     f'{_first(fit["missing"])}')
    if fit['mismatched']:
        shapes = [f'{k} (checkpoint {list(c)}, model {list(m)})'
                  for k, c, m in fit['mismatched']]
        lines.append(f'{len(shapes)} of another shape: {_first(shapes, 3)}')
    if fit['unexpected']:
        lines.append(f'{len(fit["unexpected"])} in the checkpoint that the '
                     f'model lacks: {_first(fit["unexpected"])}')
    text = '\n  '.join(lines)
    if allow_partial:
        from mmengine.logging import print_log
        print_log(f'{text}\n  loading what fits (partial load allowed); '
                  'the rest keeps its random initialisation',
                  logger='current', level=30)
        return fit
    raise CheckpointMismatchError(
        f'{text}\n  refusing to run with those weights random. '
        f'{hint}'.rstrip())


def checkpoint_state_dict(checkpoint):
    """The tensors of a loaded checkpoint dict, ``module.`` dropped (as
    mmengine's loader does)."""
    state = checkpoint.get('state_dict', checkpoint)
    return {k[7:] if k.startswith('module.') else k: v
            for k, v in state.items()}


def load_backbone_weights(model, checkpoint, prefix='backbone.',
                          allow_partial=False):
    """Load the ``prefix*`` tensors of ``checkpoint`` into ``model.backbone``
    (through :func:`prefixed_tensors`, so weights-only).

    Every backbone tensor must be in the checkpoint with its shape
    (:func:`check_state_dict_fits`) unless ``allow_partial``, which loads
    what fits and warns about the rest.

    Returns:
        int: the number of tensors loaded.

    Raises:
        KeyError: the checkpoint has no such tensor.
        CheckpointMismatchError: the backbone's and the checkpoint's tensors
            differ (missing, unexpected or differently shaped).
    """
    from mmengine.logging import print_log
    backbone = {k[len(prefix):]: v
                for k, v in prefixed_tensors(checkpoint, prefix).items()}
    fit = check_state_dict_fits(
        model.backbone.state_dict(), backbone,
        f'{checkpoint} ({prefix}*, as the backbone)',
        allow_partial=allow_partial,
        hint=('Check that the config builds the backbone the checkpoint '
              'was trained with (type, depth, width), and --prefix; '
              '--allow-partial loads what fits.'))
    if fit['mismatched']:
        drop = {k for k, _, _ in fit['mismatched']}
        backbone = {k: v for k, v in backbone.items() if k not in drop}
    model.backbone.load_state_dict(backbone, strict=not allow_partial)
    print_log(f'loaded {fit["matched"]} backbone tensors ({prefix}*) from '
              f'{checkpoint}', logger='current')
    return fit['matched']

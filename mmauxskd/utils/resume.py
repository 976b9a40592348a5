"""Which checkpoint ``tools/train.py --resume`` continues from.

mmengine resumes from the file that ``WORK_DIR/last_checkpoint`` names and
fails with a bare ``FileNotFoundError`` (or an unpickling error) when that
file is gone or damaged, although an older checkpoint may sit beside it.
:func:`resolve_resume` checks the file first (it must load with the
weights-only loader and hold a training position), falls back to the newest
intact checkpoint, and refuses, naming the files, when checkpoints exist
but none is intact.
"""
import os
import os.path as osp
import re

from .checkpoint import UnsafeCheckpointError, safe_torch_load

__all__ = ['CHECKPOINT_TEMPLATES', 'ResumeError', 'checkpoint_problem',
           'intact_checkpoints', 'resolve_resume']

#: names of the periodic checkpoints mmengine's CheckpointHook writes
CHECKPOINT_TEMPLATES = ('epoch_{}.pth', 'iter_{}.pth')


class ResumeError(RuntimeError):
    """No checkpoint to resume from although the run had some."""


def _position(ckpt):
    meta = ckpt.get('meta') if isinstance(ckpt, dict) else None
    if not isinstance(meta, dict) or 'epoch' not in meta or \
            'iter' not in meta or 'state_dict' not in ckpt:
        return None
    return int(meta['epoch']), int(meta['iter'])


def checkpoint_problem(path):
    """``(position, problem)`` of the checkpoint file ``path``: its
    ``(epoch, iter)`` and None when it loads (weights-only, on the CPU) and
    holds a training position, else None and why not, in a few words."""
    if not osp.isfile(path):
        return None, 'missing'
    if osp.getsize(path) == 0:
        return None, 'empty (0 bytes)'
    try:
        ckpt = safe_torch_load(path, map_location='cpu')
    except UnsafeCheckpointError:
        return None, 'refused by the weights-only loader (unsafe globals)'
    except Exception as err:  # truncated zip, bad pickle, I/O error
        text = str(err).strip().split('. ')[0].splitlines()
        text = f': {text[0][:100]}' if text else ''
        return None, f'truncated or corrupt ({type(err).__name__}{text})'
    position = _position(ckpt)
    if position is None:
        return None, 'not a training checkpoint (no meta epoch/iter)'
    return position, None


def intact_checkpoints(folder, templates=CHECKPOINT_TEMPLATES):
    """The newest intact checkpoint of ``folder`` and the damaged ones met
    on the way: ``((path, (epoch, iter)) or None, [(path, problem), ...])``.

    Files named by ``templates`` (``epoch_{}.pth``: ``epoch_12.pth``) are
    tried newest first by the number in their name, loading each; of several
    templates' newest intact files, the one with the most iterations wins.
    """
    names = os.listdir(folder) if osp.isdir(folder) else []
    best, damaged = None, []
    for template in dict.fromkeys(templates):
        pattern = re.compile('^' + re.escape(template).replace(
            r'\{\}', r'(\d+)') + '$')
        found = sorted(((int(m.group(1)), name) for name in names
                        for m in [pattern.match(name)] if m), reverse=True)
        for _, name in found:
            path = osp.join(folder, name)
            position, problem = checkpoint_problem(path)
            if problem:
                damaged.append((path, problem))
                continue
            if best is None or position[1] > best[1][1]:
                best = (path, position)
            break
    return best, damaged


def _read_last_checkpoint(work_dir):
    """The path ``work_dir/last_checkpoint`` names, '' when the file is
    empty, None when there is no such file."""
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return f.read().strip()


def _describe(found):
    path, (epoch, it) = found
    return f'{path} (epoch {epoch}, iter {it})'


def resolve_resume(work_dir, requested='auto', folder=None,
                   templates=CHECKPOINT_TEMPLATES):
    """The checkpoint to resume from, and a one-line note when it is not
    the one asked for.

    Args:
        work_dir (str): the run's work dir (holds ``last_checkpoint``).
        requested (str): ``'auto'`` (``--resume`` alone) or a path.
        folder (str, optional): where the checkpoints are (the
            CheckpointHook's ``out_dir``); ``work_dir`` by default.
        templates: checkpoint file names, ``{}`` standing for the number.

    Returns:
        tuple: ``(path, note)``. ``path`` is None for a run with no
        checkpoint at all (it starts from scratch); ``note`` is None when
        ``last_checkpoint`` (or the requested file) is used as it is.

    Raises:
        ResumeError: the requested file or the one ``last_checkpoint``
            names is damaged or gone and no intact checkpoint is left; or an
            explicit path is damaged (the message names the newest intact
            one).
    """
    folder = folder or work_dir
    if requested != 'auto':
        if '://' in requested:  # a remote file: mmengine's loader decides
            return requested, None
        _, problem = checkpoint_problem(requested)
        if problem is None:
            return requested, None
        best, _ = intact_checkpoints(folder, templates)
        alternative = (
            f'the newest intact checkpoint in {folder} is {_describe(best)}: '
            f'pass it, or --resume alone to take it' if best else
            f'{folder} holds no intact checkpoint')
        raise ResumeError(
            f'cannot resume from {requested}: {problem}; {alternative}')

    last = _read_last_checkpoint(work_dir)
    if last:
        _, problem = checkpoint_problem(last)
        if problem is None:
            return last, None
    best, damaged = intact_checkpoints(folder, templates)
    if last is None:
        why = f'there is no {osp.join(work_dir, "last_checkpoint")}'
    elif not last:
        why = f'{osp.join(work_dir, "last_checkpoint")} is empty'
    else:
        why = f'last_checkpoint names {last}, which is {problem}'
    if best is not None:
        return best[0], (f'resuming from {_describe(best)}, the newest intact '
                         f'checkpoint in {folder}: {why}')
    if damaged or last is not None:
        listed = '; '.join(f'{p}: {why_not}' for p, why_not in damaged
                           if not (last and osp.abspath(p) == osp.abspath(
                               last)))
        raise ResumeError(
            f'cannot resume: {why}, and {folder} holds no intact checkpoint'
            + (f' ({listed})' if listed else '') + '. To start the run '
            'afresh, remove the damaged files and last_checkpoint, or train '
            'without --resume.')
    return None, None  # a run that never saved: it starts from scratch

"""The resume and the 2-process experiments of the training tests, in one
place."""
import os
import os.path as osp
import shutil

import numpy as np
import torch

from conftest import free_port, run_tool


def epoch_1_of(reference, work):
    """A work dir holding the reference run's first checkpoint, as a run
    killed in epoch 2 leaves it (AtomicCheckpointHook: the checkpoint whole,
    named by ``last_checkpoint``): ``--resume`` in it trains epoch 2 in a
    new process state, fresh dataloader workers included."""
    os.makedirs(work)
    shutil.copy(osp.join(reference, 'epoch_1.pth'), work)
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work, 'epoch_1.pth'))


def tensors_of(obj, path=''):
    """``(path, tensor)`` of every tensor and numpy array inside nested
    dicts, lists and tuples."""
    if torch.is_tensor(obj):
        yield path, obj
    elif isinstance(obj, np.ndarray):
        yield path, torch.from_numpy(obj)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from tensors_of(value, f'{path}.{key}' if path else key)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from tensors_of(value, f'{path}[{i}]')


def assert_same_state(a, b):
    """Checkpoints ``a`` and ``b`` hold the same weights and buffers, the
    same optimizer state (momentum, Adam moments: every tensor) and, where
    saved, the same generator states (RandomStateHook), bit for bit.
    Returns the number of tensors compared."""
    def state(ckpt):
        rng = ckpt['meta'].get('rng_states')
        return dict(tensors_of(dict(
            state_dict=ckpt['state_dict'], optimizer=ckpt['optimizer'],
            rng_states=rng))), [s['python'] for s in rng or []]

    (x, x_py), (y, y_py) = state(a), state(b)
    assert x.keys() == y.keys()
    differ = [k for k, v in x.items() if not torch.equal(v, y[k])]
    assert not differ, \
        f'{len(differ)} of {len(x)} tensors differ: {", ".join(differ[:20])}'
    assert x_py == y_py, 'python generator states differ'
    return len(x)


def dist_train(tmp_path, cfg, env, procs=2):
    """``tools/dist_train.sh cfg procs`` into ``work/`` on a free port;
    returns the work dir and the text of its log."""
    import glob
    work = str(tmp_path / 'work')
    run_tool(['bash', 'tools/dist_train.sh', cfg, str(procs), '--work-dir',
              work], env=dict(env, PORT=str(free_port())))
    log = sorted(glob.glob(osp.join(work, '*', '*.log')))[-1]
    with open(log) as f:
        return work, f.read()

"""The kill-and-resume and the 2-process experiments of the training
tests, in one place."""
import os.path as osp

import torch

from conftest import free_port, run_tool, write_config


def full_and_resumed(tmp_path, base, body, crash_body, env):
    """Train ``base`` + ``body`` uninterrupted (``full/``), and again with
    ``crash_body`` (killed by a hook in epoch 2) then resumed from its
    epoch-1 checkpoint (``killed/``). Returns both work dirs."""
    full, killed = str(tmp_path / 'full'), str(tmp_path / 'killed')
    cfg = write_config(tmp_path, base, body)
    run_tool(['tools/train.py', cfg, '--work-dir', full], env=env)
    crash = write_config(tmp_path, base, crash_body, name='crash.py')
    proc = run_tool(['tools/train.py', crash, '--work-dir', killed],
                    env=env, check=False)
    assert proc.returncode == 137, proc.stderr[-2000:]
    assert osp.exists(osp.join(killed, 'epoch_1.pth'))
    run_tool(['tools/train.py', cfg, '--work-dir', killed, '--resume'],
             env=env)
    return full, killed


def load_checkpoints(full, killed, name):
    return [torch.load(osp.join(d, name), weights_only=False)
            for d in (full, killed)]


def assert_same_state(a, b):
    """Checkpoints ``a`` and ``b`` hold the same weights and buffers and
    the same optimizer state (momentum, Adam moments: every tensor)."""
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for x, y in zip(a['optimizer']['state'].values(),
                    b['optimizer']['state'].values()):
        for name, value in x.items():
            if torch.is_tensor(value):
                assert torch.equal(value, y[name]), name


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

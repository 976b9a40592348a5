"""A run killed (or out of disk) at any point of a checkpoint save is
continued exactly by ``tools/train.py --resume``: AtomicCheckpointHook
writes, renames, records, and only then removes; ``--resume`` skips a
damaged checkpoint, saying so, and refuses when none is intact.

mmengine's CheckpointHook removes the old checkpoint before writing the new
one (and writes in place): the ``stock`` cases are expected to fail."""
import errno
import itertools
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys

import pytest
import torch
from mmengine.fileio import LocalBackend

from conftest import ROOT, demo_overrides, load_tool, write_config
from train_runs import assert_same_state, epoch_1_of

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'
# 2 epochs of 2 steps, a checkpoint after each, the last one kept
BODY = """
train_cfg = dict(max_epochs=2, val_interval=10)
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1,
                                     save_best=None))
"""
STOCK = 'CheckpointHook'  # mmengine's
_names = itertools.count()


class Killed(BaseException):
    """The process dies here (nothing below it runs, nothing catches it)."""


@pytest.fixture(scope='module')
def cfg(tiny_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp('atomic_cfg')
    return write_config(folder, DEMO, demo_overrides(tiny_data, batch=4) +
                        BODY)


@pytest.fixture(scope='module')
def train():
    tool = load_tool('train.py')

    def run(cfg, work, *args, hook='AtomicCheckpointHook', keep=1):
        tool.main([cfg, '--work-dir', str(work), *args, '--cfg-options',
                   f'experiment_name=atomic{next(_names)}',
                   f'default_hooks.checkpoint.type={hook}',
                   f'default_hooks.checkpoint.max_keep_ckpts={keep}'])
    return run


@pytest.fixture(scope='module')
def reference(cfg, train, tmp_path_factory):
    """The uninterrupted run, its two checkpoints kept."""
    work = tmp_path_factory.mktemp('atomic_full')
    train(cfg, work, keep=2)
    return str(work)


def assert_same_run(reference, work):
    a = torch.load(osp.join(reference, 'epoch_2.pth'), weights_only=False)
    b = torch.load(osp.join(work, 'epoch_2.pth'), weights_only=False)
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    assert_same_state(a, b)


def last_checkpoint(work):
    with open(osp.join(work, 'last_checkpoint')) as f:
        return f.read().strip()


def arm(monkeypatch, point, work):
    """Make the (epoch-2) save stop at ``point``. A kill leaves the work dir
    as the disk held it at that instant (a copy taken then is put back, so
    that no ``except``/``finally`` of the dying process tidies it up); a
    full disk writes half the checkpoint and raises ENOSPC."""
    real_save, real_replace, real_remove = torch.save, os.replace, os.remove
    real_put = LocalBackend.put
    snapshot = work + '.at_kill'

    def die():
        shutil.copytree(work, snapshot)
        raise Killed(point)

    def save(obj, f, *args, **kwargs):
        if point == 'before the temp write':
            die()
        return real_save(obj, f, *args, **kwargs)

    def replace(src, dst):
        if osp.basename(dst) == 'last_checkpoint':
            if point == 'after the rename':
                die()
        if point == 'after the temp write' and dst.endswith('epoch_2.pth'):
            die()
        return real_replace(src, dst)

    def remove(path):
        if str(path).endswith('epoch_1.pth'):
            if point == 'after last_checkpoint':
                die()
        return real_remove(path)

    def put(self, obj, filepath):
        if filepath.endswith(('epoch_2.pth', '.part')):
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise OSError(errno.ENOSPC, 'No space left on device', filepath)
        return real_put(self, obj, filepath)

    monkeypatch.setattr(torch, 'save', save)
    monkeypatch.setattr(os, 'replace', replace)
    monkeypatch.setattr(os, 'remove', remove)
    if point == 'disk full':
        monkeypatch.setattr(LocalBackend, 'put', put)

    def revive():
        """The state the kill left, for the next process."""
        monkeypatch.undo()
        if osp.isdir(snapshot):
            shutil.rmtree(work)
            os.rename(snapshot, work)
    return revive


POINTS = ['before the temp write', 'after the temp write', 'after the rename',
          'after last_checkpoint', 'disk full']
CASES = [('atomic', p) for p in POINTS] + [
    pytest.param('stock', p, marks=pytest.mark.xfail(
        strict=True, reason='mmengine removes the old checkpoint first'))
    for p in ('before the temp write', 'disk full')]


@pytest.mark.parametrize('hook,point', CASES)
def test_run_stopped_during_a_save_resumes_exactly(
        hook, point, cfg, train, reference, tmp_path, monkeypatch):
    from mmauxskd.utils.resume import checkpoint_problem
    work = str(tmp_path / 'work')
    epoch_1_of(reference, work)
    revive = arm(monkeypatch, point, work)
    with pytest.raises(OSError if point == 'disk full' else Killed):
        train(cfg, work, '--resume',
              hook=STOCK if hook == 'stock' else 'AtomicCheckpointHook')
    revive()
    # what the stop left: last_checkpoint names a whole checkpoint
    assert checkpoint_problem(last_checkpoint(work))[1] is None
    train(cfg, work, '--resume')
    assert_same_run(reference, work)
    # the resumed run tidied what the stop left
    assert sorted(n for n in os.listdir(work) if n.endswith(
        ('.pth', '.part'))) == ['epoch_2.pth']


def test_real_sigkill_between_write_and_rename(cfg, train, reference,
                                               tmp_path):
    """SIGKILL (no Python cleanup) with the new checkpoint written under its
    temporary name: the old one is resumed, the temporary file removed."""
    with open(tmp_path / 'sigkill_at_rename.py', 'w') as f:
        f.write('import os, signal\n_replace = os.replace\n'
                'def replace(src, dst):\n'
                "    if str(dst).endswith('epoch_2.pth'):\n"
                '        os.kill(os.getpid(), signal.SIGKILL)\n'
                '    return _replace(src, dst)\n'
                'os.replace = replace\n')
    killed = write_config(tmp_path, cfg, "custom_imports = dict(imports=["
                          "'mmauxskd', 'sigkill_at_rename'])\n",
                          name='killed.py')
    work = str(tmp_path / 'work')
    epoch_1_of(reference, work)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', killed, '--work-dir', work,
         '--resume'],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path),
                                                         ROOT])))
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    names = os.listdir(work)
    assert 'epoch_1.pth' in names and 'epoch_2.pth' not in names
    assert any(n.startswith('.epoch_2.pth.') for n in names), names
    train(cfg, work, '--resume')
    assert_same_run(reference, work)
    assert not [n for n in os.listdir(work) if n.endswith('.part')]


def test_truncated_checkpoint_is_skipped_with_a_message(
        cfg, train, reference, tmp_path, capsys):
    work = str(tmp_path / 'work')
    shutil.copytree(reference, work)
    damaged = osp.join(work, 'epoch_2.pth')
    with open(damaged, 'r+b') as f:
        f.truncate(osp.getsize(damaged) // 2)
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(damaged)
    train(cfg, work, '--resume')
    note = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith('resuming from')]
    assert len(note) == 1, note
    assert f'{osp.join(work, "epoch_1.pth")} (epoch 1, iter 2)' in note[0]
    assert f'last_checkpoint names {damaged}, which is truncated' in note[0]
    assert_same_run(reference, work)


# ------------------------------------ --resume without a whole checkpoint --

def _checkpoint(path, epoch, cut=False):
    torch.save(dict(meta=dict(epoch=epoch, iter=2 * epoch),
                    state_dict=dict(w=torch.zeros(256))), path)
    if cut:
        with open(path, 'r+b') as f:
            f.truncate(osp.getsize(path) // 2)
    return str(path)


def _resume(cfg, work, *args):
    """tools/train.py --resume ARGS: its SystemExit text (it must end
    before training)."""
    with pytest.raises(SystemExit) as exit_info:
        load_tool('train.py').main(
            [cfg, '--work-dir', str(work), '--resume', *args])
    return str(exit_info.value.code)


def test_no_intact_checkpoint_stops_naming_them(cfg, tmp_path):
    """The stock hook out of disk: the old checkpoint removed, the new one
    cut short. --resume stops (not a run from scratch) and names both."""
    bad = _checkpoint(tmp_path / 'epoch_2.pth', 2, cut=True)
    with open(tmp_path / 'last_checkpoint', 'w') as f:
        f.write(str(tmp_path / 'epoch_1.pth'))
    text = _resume(cfg, tmp_path)
    assert f'last_checkpoint names {tmp_path / "epoch_1.pth"}, which is ' \
        'missing' in text
    assert f'{bad}: truncated or corrupt' in text
    # no last_checkpoint at all
    os.remove(tmp_path / 'last_checkpoint')
    assert f'{bad}: truncated' in _resume(cfg, tmp_path)


def test_explicit_bad_checkpoint_names_the_intact_one(cfg, tmp_path):
    good = _checkpoint(tmp_path / 'epoch_1.pth', 1)
    bad = _checkpoint(tmp_path / 'epoch_2.pth', 2, cut=True)
    text = _resume(cfg, tmp_path, bad)
    assert text.startswith(f'cannot resume from {bad}: truncated or corrupt')
    assert f'the newest intact checkpoint in {tmp_path} is {good} ' \
        '(epoch 1, iter 2)' in text
    missing = str(tmp_path / 'epoch_9.pth')
    assert f'{missing}: missing' in _resume(cfg, tmp_path, missing)


def test_newest_intact_checkpoint_by_name_and_position(tmp_path):
    from mmauxskd.utils.resume import intact_checkpoints, resolve_resume
    assert resolve_resume(str(tmp_path)) == (None, None)  # a fresh run
    _checkpoint(tmp_path / 'epoch_2.pth', 2)
    newest = _checkpoint(tmp_path / 'epoch_10.pth', 10)  # 10 > 2, not '1'
    _checkpoint(tmp_path / 'epoch_11.pth', 11, cut=True)
    _checkpoint(tmp_path / 'iter_6.pth', 3)  # iter 6 < epoch 10's 20
    (tmp_path / 'best_acc_epoch_12.pth').write_bytes(b'')  # not resumable
    best, damaged = intact_checkpoints(str(tmp_path))
    assert best == (newest, (10, 20))
    assert [p for p, _ in damaged] == [str(tmp_path / 'epoch_11.pth')]
    path, note = resolve_resume(str(tmp_path))
    assert path == newest
    assert note.endswith(f'there is no {tmp_path / "last_checkpoint"}')
    # last_checkpoint naming a whole file is followed, without a note
    with open(tmp_path / 'last_checkpoint', 'w') as f:
        f.write(str(tmp_path / 'epoch_2.pth'))
    assert resolve_resume(str(tmp_path)) == (
        str(tmp_path / 'epoch_2.pth'), None)

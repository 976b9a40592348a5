"""tools/dist_train.sh on CPU with 2 processes; exact resume after a kill."""
import glob
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from conftest import (ROOT, demo_overrides, free_port, load_tool, run_tool,
                      write_config)
from train_runs import assert_same_state

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'
ONE_EPOCH = ('train_cfg = dict(max_epochs=1)\nval_cfg = None\n'
             'val_dataloader = None\nval_evaluator = None\n')

# A hook that kills the process (no cleanup, like SIGKILL) in epoch 2.
CRASH_HOOK = '''
import os
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

@HOOKS.register_module()
class CrashHook(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.epoch == 1 and batch_idx == 1:
            os._exit(137)
'''


def _log(work_dir):
    return open(sorted(glob.glob(osp.join(work_dir, '*', '*.log')))[-1]).read()


def test_dist_train_two_cpu_processes(tiny_data, tmp_path):
    cfg = write_config(tmp_path, DEMO, demo_overrides(tiny_data) + ONE_EPOCH)
    work = str(tmp_path / 'work')
    run_tool(['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', work],
             env=dict(PORT=str(free_port())))
    log = _log(work)
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    # 8 training videos, 2 per process per step: 2 iterations on each rank
    assert 'Epoch(train) [1][2/2]' in log
    assert osp.exists(osp.join(work, 'epoch_1.pth'))


def test_train_destroys_its_process_group(tiny_data, tmp_path, monkeypatch):
    """tools/train.py ends with no live process group (gloo ranks tearing
    down at different times aborted finished runs, SIGABRT)."""
    from mmengine.device import get_device
    if get_device() != 'cpu':
        pytest.skip('accelerator machine: this runs the CPU (gloo) launch')
    cfg = write_config(tmp_path, DEMO, demo_overrides(tiny_data) + ONE_EPOCH)
    for key, value in dict(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                           MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(key, value)
    work = str(tmp_path / 'work')
    load_tool('train.py').main(
        [cfg, '--work-dir', work, '--launcher', 'pytorch'])
    assert 'Distributed training: True' in _log(work)
    assert osp.exists(osp.join(work, 'epoch_1.pth'))
    assert not torch.distributed.is_initialized()


def test_process_group_closed_after_an_exception(monkeypatch):
    from mmauxskd.utils.cli import process_group_closed
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    with pytest.raises(RuntimeError, match='stage failed'):
        with process_group_closed():
            torch.distributed.init_process_group('gloo', rank=0,
                                                 world_size=1)
            raise RuntimeError('stage failed')
    assert not torch.distributed.is_initialized()
    with process_group_closed():  # no group at all: nothing to do
        pass


def test_killed_run_resumes_exactly(tiny_data, tmp_path):
    """Killed (no cleanup) in epoch 2 with the config's loaders (2
    persistent workers each for training and validation) and resumed: the
    uninterrupted run's weights, optimizer and generator states."""
    body = demo_overrides(tiny_data, own_workers=True) + (
        'train_cfg = dict(max_epochs=3, val_interval=1)\n'
        'default_hooks = dict(checkpoint=dict(max_keep_ckpts=5, interval=1))\n')
    cfg = write_config(tmp_path, DEMO, body)
    full, killed = str(tmp_path / 'full'), str(tmp_path / 'killed')
    run_tool(['tools/train.py', cfg, '--work-dir', full])

    with open(tmp_path / 'crash_hook.py', 'w') as f:
        f.write(CRASH_HOOK)
    crash_cfg = write_config(
        tmp_path, DEMO, body +
        "custom_imports = dict(imports=['mmauxskd', 'crash_hook'])\n"
        "custom_hooks = [dict(type='BrokenVideoReportHook'),\n"
        "                dict(type='RandomStateHook'), dict(type='CrashHook')]\n",
        name='crash.py')
    # the checkout under test first, not an installed mmauxskd
    path = os.pathsep.join([str(tmp_path), ROOT])
    proc = run_tool(['tools/train.py', crash_cfg, '--work-dir', killed],
                    env=dict(PYTHONPATH=path), check=False)
    assert proc.returncode == 137
    assert osp.exists(osp.join(killed, 'epoch_1.pth'))
    assert not osp.exists(osp.join(killed, 'epoch_2.pth'))

    run_tool(['tools/train.py', cfg, '--work-dir', killed, '--resume'])
    assert 'resumed epoch: 1, iter: 4' in _log(killed)
    loader = Config.fromfile(cfg).train_dataloader
    assert loader.num_workers == 2 and loader.persistent_workers
    a = torch.load(osp.join(full, 'epoch_3.pth'), weights_only=False)
    b = torch.load(osp.join(killed, 'epoch_3.pth'), weights_only=False)
    assert a['meta']['iter'] == b['meta']['iter'] == 12
    assert_same_state(a, b)

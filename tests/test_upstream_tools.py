"""Our configs as a plugin user runs them: with upstream MMAction2's tools.

Upstream MMAction2 1.2.0's tools/train.py and tools/test.py do
``Config.fromfile(CONFIG)`` (no prior ``import mmauxskd``: our
``custom_imports`` brings it in), fold the command line into the config, then
``Runner.from_cfg(cfg).train()`` / ``.test()`` with ``cfg.load_from`` set to
the checkpoint. The scripts below take that path in fresh processes.
"""
import glob
import importlib.util
import json
import os.path as osp
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from mmengine.config import Config

from conftest import ROOT, demo_overrides, write_config

FOLDERS = sorted({osp.dirname(p) for p in glob.glob(
    osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)})

_BARE = """
import sys
from mmengine.config import Config
assert 'mmauxskd' not in sys.modules
cfg = Config.fromfile(sys.argv[1])
print(cfg.get('default_scope'))
"""


def _fresh(code, *args, cwd=ROOT):
    return subprocess.run([sys.executable, '-c', code, *args], cwd=cwd,
                          capture_output=True, text=True)


def test_a_config_of_every_folder_loads_with_bare_fromfile():
    picks = [sorted(glob.glob(osp.join(folder, '*.py')))[0]
             for folder in FOLDERS]
    assert len(picks) >= 15  # every method folder, its _base_, configs/_base_
    with ThreadPoolExecutor(2) as pool:
        procs = list(pool.map(lambda p: _fresh(_BARE, p), picks))
    failed = {osp.relpath(p, ROOT): proc.stderr[-800:]
              for p, proc in zip(picks, procs) if proc.returncode != 0}
    assert not failed, failed


def _strip_scope(obj):
    if isinstance(obj, dict):
        return {k: _strip_scope(v) for k, v in obj.items() if k != '_scope_'}
    if isinstance(obj, list):
        return [_strip_scope(v) for v in obj]
    return obj


def test_runtime_states_the_installed_mmaction_runtime():
    """Our runtime base no longer inherits MMAction2's through mmaction::;
    it must still hold the same settings, except what we change."""
    root = importlib.util.find_spec('mmaction').submodule_search_locations[0]
    theirs = Config.fromfile(osp.join(
        root, '.mim', 'configs', '_base_', 'default_runtime.py')).to_dict()
    ours = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'default_runtime.py')).to_dict()
    ours_hooks = _strip_scope(ours['default_hooks'])
    assert ours_hooks['checkpoint'].pop('max_keep_ckpts') == 3  # our change
    # and: saves that a kill cannot lose (a CheckpointHook, same arguments)
    assert ours_hooks['checkpoint'].pop('type') == 'AtomicCheckpointHook'
    assert theirs['default_hooks']['checkpoint'].pop('type') == \
        'CheckpointHook'
    assert ours_hooks == _strip_scope(theirs.pop('default_hooks'))
    for key, value in theirs.items():
        assert _strip_scope(ours[key]) == _strip_scope(value), key


_UPSTREAM = """
import json, sys
from mmengine.config import Config
from mmengine.runner import Runner
from mmaction.registry import RUNNERS  # noqa: F401  as upstream imports it
assert 'mmauxskd' not in sys.modules
config, work_dir, mode = sys.argv[1:4]
cfg = Config.fromfile(config)  # upstream: Config.fromfile(args.config)
cfg.launcher = 'none'
cfg.work_dir = work_dir
if mode == 'train':
    cfg.merge_from_dict({'train_cfg.max_epochs': 1})  # --cfg-options
    Runner.from_cfg(cfg).train()
else:
    cfg.load_from = sys.argv[4]
    print(json.dumps(Runner.from_cfg(cfg).test()))
"""


def test_upstream_train_and_test_path(tiny_data, tmp_path):
    cfg = write_config(
        tmp_path, 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py',
        demo_overrides(tiny_data))
    work = str(tmp_path / 'work')
    train = _fresh(_UPSTREAM, cfg, work, 'train', cwd=str(tmp_path))
    assert train.returncode == 0, train.stderr[-3000:]
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    test = _fresh(_UPSTREAM, cfg, work, 'test', ckpt, cwd=str(tmp_path))
    assert test.returncode == 0, test.stderr[-3000:]
    metrics = json.loads(test.stdout.strip().splitlines()[-1])
    assert 0.0 <= metrics['acc/top1'] <= 1.0

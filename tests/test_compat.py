"""Each stack fix of mmauxskd.utils.compat / checkpoint, against its breakage.

The subprocess checks show the breakage is real on this stack (the stock
import fails) and that importing mmauxskd repairs it.
"""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from conftest import ROOT

from mmauxskd.utils.checkpoint import UnsafeCheckpointError, safe_torch_load


def _python(code):
    return subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=ROOT)


def _mmaction_root():
    return importlib.util.find_spec('mmaction').submodule_search_locations[0]


# 1. the mmaction2 1.2.0 wheel lacks models/localizers/drn
@pytest.mark.skipif(
    osp.exists(osp.join(_mmaction_root(), 'models/localizers/drn/drn.py')),
    reason='this mmaction2 install ships DRN')
def test_missing_drn_breaks_stock_import_and_is_fixed():
    stock = _python('import mmaction.models')
    assert stock.returncode != 0 and 'drn' in stock.stderr
    fixed = _python('import mmauxskd, mmaction.models\n'
                    'from mmaction.registry import MODELS\n'
                    'assert MODELS.get("Recognizer3D") is not None\n'
                    'assert MODELS.get("DRN") is None')
    assert fixed.returncode == 0, fixed.stderr
    from mmaction.models.localizers.drn.drn import DRN
    with pytest.raises(ImportError, match='2714'):
        DRN()


# 2. importlib_metadata is used by mmaction2 1.2.0 but not declared by it
def test_importlib_metadata_is_declared_by_us():
    from importlib import metadata
    requires = metadata.requires('mmauxskd') or []
    assert any(r.startswith('importlib_metadata') or r.startswith(
        'importlib-metadata') for r in requires)
    assert importlib.util.find_spec('importlib_metadata') is not None


# 4. setuptools >= 81 has no pkg_resources: mmaction:: bases fail in mmengine
@pytest.mark.skipif(
    importlib.util.find_spec('pkg_resources') is not None,
    reason='pkg_resources is installed here')
def test_package_scoped_base_config_resolves_without_pkg_resources():
    cfg = osp.join(ROOT, 'configs/_base_/default_runtime.py')
    stock = _python(f'from mmengine.config import Config\n'
                    f'Config.fromfile({cfg!r})')
    assert stock.returncode != 0 and 'pkg_resources' in stock.stderr
    from mmengine.config import Config
    loaded = Config.fromfile(cfg)
    assert loaded.default_scope == 'mmaction'  # came from mmaction's file
    assert loaded.default_hooks.checkpoint.max_keep_ckpts == 3  # ours


def test_installed_path_replacement_finds_mmaction():
    from mmengine.utils import get_installed_path, is_installed
    assert get_installed_path('mmaction2') == _mmaction_root()
    assert is_installed('mmaction2') and not is_installed('no-such-pkg-x')


# 5. numpy 2: ColorJitter's hue shift overflowed for negative offsets
def test_color_jitter_negative_hue_matches_hand_computation():
    from mmaction.datasets.transforms import ColorJitter
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (8, 8, 3)).astype(np.float32)
    out = ColorJitter.adjust_hue(img, -0.1)  # raised OverflowError before
    hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_RGB2HSV).astype(int)
    hsv[..., 0] = (hsv[..., 0] - 25) % 180
    expect = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    np.testing.assert_array_equal(out, expect.astype(np.float32))
    # the whole transform, many draws (about half have a negative hue)
    jitter = ColorJitter(hue=0.5)
    for _ in range(20):
        res = jitter(dict(imgs=[img.copy() for _ in range(2)]))
        assert res['imgs'][0].shape == (8, 8, 3)


# 6. CPU distributed init: no torch.cuda.set_device, gloo instead of nccl
def test_cpu_distributed_init_uses_gloo(monkeypatch):
    from mmengine.device import get_device
    if get_device() != 'cpu':
        pytest.skip('accelerator machine: mmengine keeps its own path')
    import mmengine.dist.utils as dist_utils
    from conftest import free_port
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.setenv('WORLD_SIZE', '1')
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    with pytest.warns(UserWarning, match='gloo'):
        dist_utils._init_dist_pytorch('nccl')
    try:
        assert torch.distributed.get_backend() == 'gloo'
    finally:
        torch.distributed.destroy_process_group()


# 3. torch >= 2.6 weights-only loading of mmengine checkpoints
def _runner_checkpoint(tmp_path):
    """A checkpoint written by a real mmengine Runner (HistoryBuffer etc.)."""
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class Tiny(BaseModel):

        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            out = self.fc(inputs)
            return dict(loss=out.pow(2).mean()) if mode == 'loss' else out

    data = [dict(inputs=torch.randn(2)) for _ in range(4)]
    runner = Runner(
        model=Tiny(), work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=data, batch_size=2, collate_fn=dict(type='default_collate'),
            sampler=dict(type='DefaultSampler', shuffle=False)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmengine')
    runner.train()
    return osp.join(str(tmp_path), 'epoch_1.pth'), runner


def test_mmengine_checkpoint_loads_weights_only(tmp_path):
    path, runner = _runner_checkpoint(tmp_path)
    with pytest.raises(Exception):  # the breakage: plain torch.load refuses
        torch.load(path)
    ckpt = safe_torch_load(path)
    assert 'message_hub' in ckpt and 'state_dict' in ckpt
    from mmengine.runner import load_checkpoint  # the path load_from takes
    load_checkpoint(runner.model, path)
    # our allowlist is scoped to our loader: plain torch.load still refuses
    from mmengine.logging import HistoryBuffer
    leaked = [g for g in torch.serialization.get_safe_globals()
              if HistoryBuffer in (g if isinstance(g, tuple) else (g, ))]
    assert not leaked
    with pytest.raises(Exception):
        torch.load(path)


class _Payload:

    def __reduce__(self):
        return (os.system, ('echo owned',))


def test_checkpoint_with_code_is_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': _Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match='system'):
        safe_torch_load(path)
    from mmengine.runner import CheckpointLoader
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(path)


class _GetattrEscape:

    def __reduce__(self):
        from mmengine.logging import HistoryBuffer
        return (getattr, (HistoryBuffer, '__init__'))


def test_restricted_getattr_only_resolves_statistics(tmp_path):
    path = str(tmp_path / 'getattr.pth')
    torch.save({'x': _GetattrEscape()}, path)
    with pytest.raises(UnsafeCheckpointError, match='__init__'):
        safe_torch_load(path)

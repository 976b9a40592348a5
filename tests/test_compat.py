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
#    (our own configs no longer use one: tests/test_configs.py loads them
#    bare; a user's config may, and loads once mmauxskd is imported)
@pytest.mark.skipif(
    importlib.util.find_spec('pkg_resources') is not None,
    reason='pkg_resources is installed here')
def test_package_scoped_base_config_resolves_without_pkg_resources(tmp_path):
    cfg = tmp_path / 'mine.py'
    cfg.write_text("_base_ = 'mmaction::_base_/default_runtime.py'\n"
                   "default_hooks = dict(checkpoint=dict(max_keep_ckpts=2))\n")
    stock = _python(f'from mmengine.config import Config\n'
                    f'Config.fromfile({str(cfg)!r})')
    assert stock.returncode != 0 and 'pkg_resources' in stock.stderr
    from mmengine.config import Config
    loaded = Config.fromfile(str(cfg))
    assert loaded.default_scope == 'mmaction'  # came from mmaction's file
    assert loaded.default_hooks.checkpoint.max_keep_ckpts == 2  # the user's


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


# 7. transformers 5: mmaction2 1.2.0 imports VindLU, which imports names
#    transformers 5 removed. A stand-in distribution (METADATA with the
#    version) and package: every name resolves to a dummy, except the three
#    that transformers 5 removed from ``transformers.modeling_utils``.
_ANY_NAME = """
class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def __getattr__(name):
    if name.startswith(MISSING):
        raise AttributeError(name)
    return _Meta(name, (), {})
"""


def _fake_transformers(root, version, missing=('__', )):
    """A ``transformers`` distribution at ``version`` (and the ``timm`` that
    VindLU imports first) under ``root``; returns the env for a subprocess."""
    files = {f'transformers-{version}.dist-info/METADATA':
             f'Metadata-Version: 2.1\nName: transformers\nVersion: {version}\n'}
    mods = ['transformers/__init__', 'transformers/activations',
            'transformers/configuration_utils', 'transformers/file_utils',
            'transformers/modeling_outputs', 'transformers/models/__init__',
            'transformers/models/beit/__init__',
            'transformers/models/beit/modeling_beit', 'timm/__init__',
            'timm/models/__init__', 'timm/models/layers']
    for mod in mods:
        files[f'{mod}.py'] = "MISSING = ('__', )\n" + _ANY_NAME
    files['transformers/modeling_utils.py'] = \
        f'MISSING = {tuple(missing)!r}\n' + _ANY_NAME
    files['transformers/__init__.py'] += (
        'class logging:\n    set_verbosity_error = staticmethod(lambda: 0)\n')
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return dict(os.environ, PYTHONPATH=f'{root}{os.pathsep}{ROOT}')


_STOCK = """
import importlib.util
spec = importlib.util.spec_from_file_location('compat', {path!r})
compat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compat)
compat.patch_missing_drn()  # breakage 1 only, none of the others
import mmaction.models
"""

_FIXED = """
import sys
import mmauxskd, mmaction.models
from mmaction.registry import MODELS
from mmaction.utils import dependency
assert not dependency.WITH_MULTIMODAL
assert 'mmaction.models.multimodal.vindlu' not in sys.modules
assert MODELS.get('Recognizer3D') is not None
try:
    MODELS.build(dict(type='VindLUVQA'))
except ImportError as exc:
    print(exc)
"""


def test_transformers5_breaks_stock_import_and_is_fixed(tmp_path):
    removed = ('__', 'apply_chunking_to_forward',
               'find_pruneable_heads_and_indices', 'prune_linear_layer')
    env = _fake_transformers(tmp_path, '5.17.0', removed)
    stock = subprocess.run(
        [sys.executable, '-c', _STOCK.format(
            path=osp.join(ROOT, 'mmauxskd/utils/compat.py'))],
        capture_output=True, text=True, cwd=ROOT, env=env)
    assert stock.returncode != 0
    assert "cannot import name 'apply_chunking_to_forward'" in stock.stderr
    fixed = subprocess.run([sys.executable, '-c', _FIXED],
                           capture_output=True, text=True, cwd=ROOT, env=env)
    assert fixed.returncode == 0, fixed.stderr
    assert 'VindLUVQA' in fixed.stdout and '5.17.0' in fixed.stdout


def test_transformers4_is_left_alone(tmp_path):
    env = _fake_transformers(tmp_path, '4.57.6')
    check = _STOCK.replace('import mmaction.models', """
from mmaction.utils import dependency
placeholder = dependency.register_multimodal_placeholder
compat.patch_transformers5()
assert dependency.WITH_MULTIMODAL
assert dependency.register_multimodal_placeholder is placeholder
""")
    proc = subprocess.run(
        [sys.executable, '-c', check.format(
            path=osp.join(ROOT, 'mmauxskd/utils/compat.py'))],
        capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr


# 8. bf16 autocast: the stock head's top-k accuracy goes through numpy
def _recognizer_batch():
    from mmaction.registry import MODELS
    from mmaction.structures import ActionDataSample
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                      pretrained2d=False, base_channels=8, num_stages=2,
                      out_indices=(1, ), stage_blocks=(1, 1),
                      spatial_strides=(1, 2), temporal_strides=(1, 1),
                      dilations=(1, 1),
                      conv1_kernel=(3, 7, 7), inflate=((1, ), (1, ))),
        cls_head=dict(type='I3DHead', num_classes=4, in_channels=16,
                      dropout_ratio=0),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCTHW')))
    inputs = torch.randint(0, 255, (2, 1, 3, 4, 16, 16), dtype=torch.uint8)
    samples = [ActionDataSample().set_gt_label(i) for i in (1, 3)]
    data = model.data_preprocessor(
        dict(inputs=list(inputs), data_samples=samples), training=True)
    return model, data


def test_bf16_autocast_head_loss(monkeypatch):
    from mmaction.models.heads.base import BaseHead
    model, data = _recognizer_batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(data['inputs'], data['data_samples'])
        scores = model.cls_head(model.extract_feat(data['inputs'])[0])
    assert scores.dtype == torch.bfloat16  # the head really runs in bf16
    losses['loss_cls'].backward()  # the gradient flows through the upcast
    assert model.cls_head.fc_cls.weight.grad is not None
    # the loss is the float32 cross entropy of the same bf16 scores
    expect = torch.nn.functional.cross_entropy(
        scores.float(), torch.tensor([1, 3]))
    assert torch.allclose(losses['loss_cls'].float(), expect, atol=1e-6)
    assert 'top1_acc' in losses
    # the breakage: mmaction's own loss_by_feat, without the fix
    monkeypatch.setattr(BaseHead, 'loss_by_feat',
                        BaseHead.loss_by_feat.__wrapped__)
    with pytest.raises(TypeError, match='BFloat16'):
        with torch.autocast('cpu', dtype=torch.bfloat16):
            model.loss(data['inputs'], data['data_samples'])


# mmcv-lite: the MultiScaleDeformableAttention warning, and only it, is quiet
_WARN = """
import sys, warnings
warnings.simplefilter('default')
{first}
import mmcv.cnn.bricks.transformer
warnings.warn_explicit('another warning', UserWarning, 'transformer.py', 1,
                       module='mmcv.cnn.bricks.transformer')
"""


def test_mmcv_lite_ops_warning_is_silenced_narrowly():
    from importlib import metadata
    try:
        metadata.distribution('mmcv-lite')
    except metadata.PackageNotFoundError:
        pytest.skip('mmcv, not mmcv-lite, is installed')
    stock = _python(_WARN.format(first=''))
    assert 'MultiScaleDeformableAttention' in stock.stderr
    fixed = _python(_WARN.format(first='import mmauxskd'))
    assert fixed.returncode == 0, fixed.stderr
    assert 'MultiScaleDeformableAttention' not in fixed.stderr
    assert 'another warning' in fixed.stderr

"""--vis-backend on tools/train.py and tools/test.py: mmengine's TensorBoard /
W&B backends beside the config's LocalVisBackend, or one clear line when
the package is missing."""
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

from conftest import ROOT, load_tool
from mmauxskd.utils import cli

RUNTIME = osp.join(ROOT, 'configs/_base_/default_runtime.py')


def _installed(monkeypatch, *present):
    """Pretend exactly the modules ``present`` are importable."""
    monkeypatch.setattr(cli, 'find_spec',
                        lambda name: object() if name in present else None)


def _types(cfg):
    return [b['type'] for b in cfg.visualizer.vis_backends]


def test_flag_adds_backends_after_local(monkeypatch):
    _installed(monkeypatch, 'tensorboard', 'wandb')
    train = load_tool('train.py')
    cfg = train.merge_args(Config.fromfile(RUNTIME), train.parse_args(
        [RUNTIME, '--vis-backend', 'tensorboard', 'wandb']))
    assert _types(cfg) == ['LocalVisBackend', 'TensorboardVisBackend',
                           'WandbVisBackend']
    assert cfg.visualizer.type == 'ActionVisualizer'

    test = load_tool('test.py')
    cfg = test.merge_args(Config.fromfile(RUNTIME), test.parse_args(
        [RUNTIME, 'ckpt.pth', '--vis-backend', 'tensorboard']))
    assert _types(cfg) == ['LocalVisBackend', 'TensorboardVisBackend']

    # without the flag the config's backends are left alone; a backend the
    # config already has is not added twice
    cfg = train.merge_args(Config.fromfile(RUNTIME),
                           train.parse_args([RUNTIME]))
    assert _types(cfg) == ['LocalVisBackend']
    cfg.visualizer.vis_backends.append(dict(type='TensorboardVisBackend'))
    cli.add_vis_backends(cfg, ['tensorboard'])
    assert _types(cfg) == ['LocalVisBackend', 'TensorboardVisBackend']


def test_tensorboardx_serves_tensorboard(monkeypatch):
    # mmengine's TensorboardVisBackend falls back to tensorboardX
    _installed(monkeypatch, 'tensorboardX')
    cfg = cli.add_vis_backends(Config.fromfile(RUNTIME), ['tensorboard'])
    assert _types(cfg)[-1] == 'TensorboardVisBackend'


def test_missing_package_is_one_line(monkeypatch):
    _installed(monkeypatch)
    with pytest.raises(SystemExit) as exc:
        cli.add_vis_backends(Config.fromfile(RUNTIME),
                             ['tensorboard', 'wandb'])
    assert str(exc.value) == (
        '--vis-backend tensorboard needs the tensorboard package, which is '
        'not installed: pip install tensorboard; --vis-backend wandb needs '
        'the wandb package, which is not installed: pip install wandb')


@pytest.mark.skipif(importlib.util.find_spec('wandb') is not None,
                    reason='wandb is installed here')
def test_train_without_wandb_ends_before_building(monkeypatch):
    # the real lookup: main() ends with the line (exit status 1) before the
    # Runner is built
    train = load_tool('train.py')
    built = []
    monkeypatch.setattr(train.Runner, 'from_cfg', built.append)
    with pytest.raises(SystemExit) as exc:
        train.main([RUNTIME, '--vis-backend', 'wandb'])
    assert exc.value.code == ('--vis-backend wandb needs the wandb package, '
                              'which is not installed: pip install wandb')
    assert not built

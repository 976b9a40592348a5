"""Checkpoints that do not fit the model are refused, naming what differs:
tools/test.py, tools/train.py --pretrained and the frozen readouts, each
with --allow-partial for a deliberate partial load; and the refusal of a
checkpoint that would run code never advises loading it unsafely."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmaction.registry import MODELS

from conftest import ROOT, demo_overrides, load_tool, write_config

from mmauxskd.utils.checkpoint import (CheckpointMismatchError,
                                       UnsafeCheckpointError,
                                       load_backbone_weights, safe_torch_load)

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'


def _runner(tool_name, cfg_path, argv):
    """The runner a tool builds from ``argv``, its checkpoint loaded."""
    tool = load_tool(tool_name)
    args = tool.parse_args([cfg_path] + argv)
    runner = Runner.from_cfg(tool.merge_args(Config.fromfile(cfg_path), args))
    runner.load_or_resume()
    return runner.model


def _state(cfg_path, **backbone):
    cfg = Config.fromfile(cfg_path)
    cfg.model.backbone.update(backbone)
    return MODELS.build(cfg.model).state_dict()


@pytest.fixture
def setup(tiny_data, tmp_path):
    cfg = write_config(tmp_path, DEMO, demo_overrides(tiny_data))
    return cfg, str(tmp_path / 'work'), tmp_path


def _save(tmp_path, name, state):
    path = str(tmp_path / name)
    torch.save(dict(state_dict=state, meta=dict()), path)
    return path


def test_test_tool_refuses_another_models_checkpoint(setup):
    cfg, work, tmp = setup
    own = _save(tmp, 'own.pth', _state(cfg))
    _runner('test.py', cfg, [own, '--work-dir', work])  # its own: fine
    # a pretext (VSPP-like) checkpoint: the backbone, another head
    state = {k: v for k, v in _state(cfg).items() if k.startswith('backbone')}
    state['cls_head.fc_pace.weight'] = torch.zeros(4, 64)
    vspp = _save(tmp, 'vspp.pth', state)
    with pytest.raises(CheckpointMismatchError) as err:
        _runner('test.py', cfg, [vspp, '--work-dir', work])
    text = str(err.value)
    assert 'vspp.pth' in text and 'cls_head.fc_cls.weight' in text
    assert '2 missing' in text and '1 in the checkpoint that the model ' \
        'lacks: cls_head.fc_pace.weight' in text
    model = _runner('test.py', cfg, [vspp, '--work-dir', work,
                                     '--allow-partial'])  # deliberate
    assert torch.equal(model.state_dict()['backbone.conv1.conv.conv_s.weight'],
                       state['backbone.conv1.conv.conv_s.weight'])


def test_test_tool_exits_non_zero_naming_the_mismatch(setup):
    cfg, work, tmp = setup
    state = _state(cfg, base_channels=16)
    ckpt = _save(tmp, 'wide.pth', state)
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'test.py'), cfg, ckpt,
         '--work-dir', work], capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert proc.returncode != 0
    assert 'CheckpointMismatchError' in proc.stderr
    assert 'of another shape' in proc.stderr
    assert 'conv_s.weight (checkpoint [36, 3, 1, 7, 7], model [20, 3, 1, ' \
        '7, 7])' in proc.stderr  # names and both shapes
    assert 'acc/top1' not in proc.stdout + proc.stderr  # nothing was scored


def test_pretrained_of_another_width_or_prefix_is_refused(setup):
    cfg, work, tmp = setup
    wide = _save(tmp, 'wide.pth', _state(cfg, base_channels=16))
    with pytest.raises(CheckpointMismatchError) as err:
        _runner('train.py', cfg, ['--work-dir', work, '--pretrained', wide])
    text = str(err.value)
    assert 'wide.pth' in text and 'of another shape' in text
    assert '(checkpoint [36, 3, 1, 7, 7], model [20, 3, 1, 7, 7])' in text
    assert 'cls_head' not in text  # the classifier may stay random
    model = _runner('train.py', cfg, ['--work-dir', work, '--pretrained',
                                      wide, '--allow-partial'])
    assert model is not None
    # a prefix that selects tensors, but not the backbone's names
    nested = {'student.' + k: v for k, v in _state(cfg).items()}
    ckpt = _save(tmp, 'auxskd.pth', nested)
    with pytest.raises(CheckpointMismatchError) as err:
        _runner('train.py', cfg, ['--work-dir', work, '--pretrained', ckpt,
                                  '--pretrained-prefix', 'student.'])
    assert 'backbone.conv1' in str(err.value)
    assert "0 of the model's 144 backbone.* tensors fit" in str(err.value)
    # the right prefix loads
    _runner('train.py', cfg, ['--work-dir', work, '--pretrained', ckpt,
                              '--pretrained-prefix', 'student.backbone.'])


def test_readout_refuses_a_backbone_that_does_not_fit(setup):
    cfg, _, tmp = setup
    wide = _save(tmp, 'wide.pth', _state(cfg, base_channels=16))
    model = MODELS.build(Config.fromfile(cfg).model)
    with pytest.raises(CheckpointMismatchError, match='another shape'):
        load_backbone_weights(model, wide)
    n = load_backbone_weights(model, wide, allow_partial=True)
    assert 0 <= n < len(model.backbone.state_dict())
    own = _save(tmp, 'own.pth', model.state_dict())
    assert load_backbone_weights(model, own) == len(
        model.backbone.state_dict())
    tool = load_tool('analysis/retrieval.py')
    assert tool.parse_args(['c', 'k', '--allow-partial']).allow_partial


class _Payload:

    def __reduce__(self):
        return (os.system, ('echo owned', ))


@pytest.mark.parametrize('zipped', [True, False])
def test_unsafe_checkpoint_refusal_gives_no_unsafe_advice(tmp_path, zipped):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, meta=_Payload()), path,
               _use_new_zipfile_serialization=zipped)
    with pytest.raises(UnsafeCheckpointError) as err:
        safe_torch_load(path)
    text = str(err.value)
    assert 'system' in text and 'refused for safety' in text
    assert ('legacy' in text) != zipped
    for advice in ('weights_only', 'will likely succeed', 'trusted source'):
        assert advice not in text

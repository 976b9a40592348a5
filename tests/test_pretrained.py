"""tools/train.py --pretrained: the backbone from a checkpoint, head random."""

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import demo_overrides, load_tool, write_config

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'


def _model_after_load(cfg_path, argv):
    tool = load_tool('train.py')
    args = tool.parse_args([cfg_path] + argv)
    runner = Runner.from_cfg(tool.merge_args(Config.fromfile(cfg_path), args))
    runner.load_or_resume()
    return runner.model


def test_pretrained_loads_backbone_only(tiny_data, tmp_path):
    cfg = write_config(tmp_path, DEMO, demo_overrides(tiny_data))
    work = str(tmp_path / 'work')
    source = _model_after_load(cfg, ['--work-dir', work]).state_dict()
    # a "pretext" checkpoint: distinct backbone values, and a head of the
    # same shape that must NOT be loaded
    fake = {k: torch.full_like(v, 0.5) if v.is_floating_point() else v
            for k, v in source.items()}
    ckpt = str(tmp_path / 'pretext.pth')
    torch.save(dict(state_dict=fake, meta=dict()), ckpt)

    model = _model_after_load(cfg, ['--work-dir', work, '--pretrained', ckpt])
    state = model.state_dict()
    backbone = [k for k in state if k.startswith('backbone.')]
    assert backbone and all(torch.equal(state[k], fake[k]) for k in backbone)
    head = [k for k in state if k.startswith('cls_head.')]
    assert head and not any(torch.equal(state[k], fake[k]) for k in head)


def test_pretrained_without_backbone_is_an_error(tiny_data, tmp_path):
    cfg = write_config(tmp_path, DEMO, demo_overrides(tiny_data))
    ckpt = str(tmp_path / 'other.pth')
    torch.save(dict(state_dict=dict(encoder_q=torch.zeros(2))), ckpt)
    with pytest.raises(KeyError, match='encoder_q'):
        _model_after_load(cfg, ['--work-dir', str(tmp_path / 'w'),
                                '--pretrained', ckpt])

"""tools/analysis/get_flops.py: one line per config, its params every
parameter of the built model, its input one sample of the config's own
pipeline, its FLOPs mmengine's count of the 'tensor' forward."""
import re

import pytest
import torch
from mmengine.config import Config

from conftest import load_tool

DEMO = 'configs/vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py'
LINE = re.compile(r'^(?P<config>\S+): FLOPs (?P<flops>\S+) G, params '
                  r'(?P<params>\S+) M, input (?P<input>\S+) \((?P<src>.+)\)$')


@pytest.fixture(scope='module')
def tool():
    return load_tool('analysis/get_flops.py')


def test_line_params_and_input_of_a_multi_clip_pretext(tool, capsys,
                                                     tmp_path):
    from mmaction.registry import MODELS
    missing = str(tmp_path / 'missing.py')
    with pytest.raises(SystemExit) as exc:
        tool.main([missing, DEMO])
    # a config that fails is named, the others still analysed
    assert exc.value.code == f'1 of 2 config(s) failed: {missing}'
    out = capsys.readouterr()
    assert f'{missing}: failed: FileNotFoundError' in out.err
    (line, ) = [m for m in map(LINE.match, out.out.splitlines()) if m]
    assert line['config'] == DEMO
    model = MODELS.build(Config.fromfile(DEMO).model)
    params = sum(p.numel() for p in model.parameters())
    assert line['params'] == f'{params / 1e6:.4g}'
    # VCOP's three 16-frame clips at the demo's 32x32 crop, from its
    # training pipeline run on a synthetic video
    assert line['input'] == '1x3x3x16x32x32'
    assert line['src'] == 'train pipeline'
    assert float(line['flops']) > 0


def test_flops_count_multiply_adds(tool):
    # one 3x3x3 convolution, 2 -> 4 channels, on 1x2x4x8x8 with padding 1:
    # 4 * 2 * 27 multiply-adds per output position, 4 * 8 * 8 positions
    conv = torch.nn.Conv3d(2, 4, 3, padding=1, bias=False)
    flops, params = tool.complexity(conv, (1, 2, 4, 8, 8))
    assert flops == 4 * 2 * 27 * 4 * 8 * 8
    assert params == conv.weight.numel()


def test_shape_option_is_the_input(tool, monkeypatch):
    counted = []
    monkeypatch.setattr(tool, 'complexity',
                        lambda model, shape: counted.append(shape) or (0, 0))
    line = tool.analyse(DEMO, None, shape=[1, 3, 3, 16, 16, 16])
    assert counted == [(1, 3, 3, 16, 16, 16)]
    assert line.endswith('input 1x3x3x16x16x16 (--shape)')


def test_folder_lists_configs_without_bases(tool):
    paths = tool.config_paths(['configs/vcop'])
    assert DEMO in paths
    assert not [p for p in paths if '_base_' in p]

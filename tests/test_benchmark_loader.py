"""tools/benchmarks/loader.py runs end to end at tiny size and reports the
loader/step ratio (the figures themselves are not checked: no timing)."""
import json
import os.path as osp

import pytest
import torch

from conftest import ROOT, load_tool

VSPP = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'
AUXSKD = 'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'


def _other_decoder():
    """A second decoder to compare with PyAV: decord where installed (it is
    optional), else torchcodec (which falls back to PyAV where it cannot
    load, with a warning)."""
    try:
        import decord  # noqa: F401
    except ImportError:
        return 'torchcodec'
    return 'decord'


def _run(tool, tiny_data, config, *extra):
    return tool.main([
        osp.join(ROOT, config),
        '--ann-file', osp.join(tiny_data, 'demo_unlabelled_list_videos.txt'),
        '--data-root', osp.join(tiny_data, 'videos'), '--batch-size', '2',
        '--batches', '2', '--steps', '1', '--warmup', '0', '--json',
        *extra])


def _records(text):
    return [json.loads(line) for line in text.splitlines()
            if line.startswith('{')]


@pytest.mark.filterwarnings('ignore:torchcodec')
def test_loader_and_step_ratio_vspp(tiny_data, capsys):
    tool = load_tool('benchmarks/loader.py')
    other = _other_decoder()
    rows, steps = _run(tool, tiny_data, VSPP, '--workers', '0', '1',
                      '--decoder', other, 'pyav')
    out = capsys.readouterr().out
    records = _records(out)
    loaders = [r for r in records if r['what'] == 'loader']
    assert [(r['workers'], r['decoder']) for r in loaders] == [
        (0, other), (1, other), (0, 'pyav'), (1, 'pyav')]
    assert all(r['clips_per_s'] > 0 for r in loaders)
    steps = [r for r in records if r['what'] == 'step']
    assert len(steps) == 1 and steps[0]['clips_per_s'] > 0
    ratios = [r for r in records if r['what'] == 'ratio']
    assert len(ratios) == 4
    for loader, ratio in zip(loaders, ratios):
        assert ratio['loader_over_step'] == pytest.approx(
            loader['clips_per_s'] / steps[0]['clips_per_s'], rel=0.02)
    assert 'loader/step =' in out
    assert f'knob decoder (workers=0): {other} 1.00x, pyav' in out
    assert f'knob workers ({other}): 0 -> 1' in out


def test_auxskd_counts_two_clips_per_sample(tiny_data, capsys):
    tool = load_tool('benchmarks/loader.py')
    _run(tool, tiny_data, AUXSKD, '--workers', '0', '--amp', 'bf16')
    records = _records(capsys.readouterr().out)
    loader = next(r for r in records if r['what'] == 'loader')
    assert loader['clips_per_s'] == pytest.approx(
        2 * loader['samples_per_s'], rel=0.01)
    step = next(r for r in records if r['what'] == 'step')
    assert step['amp'] == 'bf16'
    assert any(r['what'] == 'ratio' for r in records)


def test_count_clips_and_advice():
    tool = load_tool('benchmarks/loader.py')
    batch = dict(inputs=[torch.zeros(2, 3, 4, 8, 8)] * 3)
    assert tool.count_clips(batch) == 6
    rows = [dict(workers=2, decoder='decord', clips_per_s=10.0)]
    lines = tool.advice(rows, 40.0, (720.0, 120.0), 128, 16, [2])
    assert lines[0].startswith('data-bound: the loader gives 0.25x')
    assert any('more workers' in line for line in lines)
    assert any('resize_videos.py' in line for line in lines)
    ok = tool.advice(rows, 5.0, None, 128, 16, [2])
    assert ok[0].startswith('the loader keeps up: 2.00x')

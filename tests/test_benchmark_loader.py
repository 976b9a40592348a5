"""tools/benchmarks/loader.py runs end to end at tiny size and reports the
loader/step ratio, the decode floor and the workers' scaling (the figures
themselves are not checked: no timing)."""
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
        '--floor-samples', '1', *extra])


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
        (0, other), (0, 'pyav'), (1, other), (1, 'pyav')]
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


def test_floor_decodes_the_pipelines_frames_and_scaling(tiny_data, capsys):
    """The floor opens and decodes exactly the frames the pipeline decodes
    (every decoder the same ones); the report has pipeline / floor, each
    count's efficiency against that many times one worker, and what the
    workers did."""
    from mmengine.config import Config
    tool = load_tool('benchmarks/loader.py')
    cfg = Config.fromfile(osp.join(ROOT, VSPP))
    args = tool.parse_args([osp.join(ROOT, VSPP), '--ann-file', osp.join(
        tiny_data, 'demo_unlabelled_list_videos.txt'), '--data-root',
        osp.join(tiny_data, 'videos')])
    assert args.workers is None and tool.worker_counts(6) == [1, 2, 4, 6]
    seen = {}
    for spec in ('pyav', 'pyav:index=packets'):
        floor = tool._Floor(tool.loader_config(cfg, args, 0, spec))
        assert floor.init.index == (spec.partition('=')[2] or 'auto')
        calls = seen[spec] = []
        for name, t in (('pipeline', floor.transforms[2]),
                        ('floor', floor.decode)):
            t.transform = (lambda f, name: lambda r: calls.append(
                (name, r['frame_inds'].tolist())) or f(r))(t.transform, name)
        import numpy as np
        for first in ('floor', 'pipeline'):
            np.random.seed(5)
            floor.run(3, first, timed=True)
        assert calls[0][1] == calls[1][1] and calls[2][1] == calls[3][1]
        assert floor.clips == 2
        out = floor.result()
        assert list(out['stages']) == [type(t).__name__
                                       for t in floor.transforms]
        assert out['floor_ms'] == pytest.approx(out['open_ms'] +
                                                out['decode_ms'])
    assert seen['pyav'] == seen['pyav:index=packets']

    tool.main([osp.join(ROOT, VSPP), '--ann-file', osp.join(
        tiny_data, 'demo_unlabelled_list_videos.txt'), '--data-root',
        osp.join(tiny_data, 'videos'), '--batch-size', '1', '--batches', '3',
        '--no-step', '--json', '--floor-samples', '1', '--workers', '1', '2',
        '--decoder', 'pyav'])
    text = capsys.readouterr().out
    records = _records(text)
    floors = [r for r in records if r['what'] == 'floor']
    assert [f['decoder'] for f in floors] == ['pyav']
    assert 'pipeline / floor = ' in text and 'stages  PyAVSeekInit' in text
    rows = {(r['workers'], r['decoder']): r for r in records
            if r['what'] == 'loader'}
    for dec in ('pyav', ):
        one, two = rows[(1, dec)], rows[(2, dec)]
        assert 'efficiency' not in one
        assert two['efficiency'] == pytest.approx(
            two['clips_per_s'] / (2 * one['clips_per_s']), abs=0.01)
        assert 0 < two['busy'] and two['worker_ms_per_clip'] > 0
        # whole rounds of the workers: 3 batches -> 4 with 2 workers
        assert (one['batches_timed'], two['batches_timed']) == (3, 4)
        assert f'scaling {dec}: 2 workers give ' in text
    with pytest.raises(SystemExit):
        tool.parse_args(['c.py', '--decoder', 'pyav:index'])


class _Sleepy:
    """Each sample takes 0.15 s and no CPU: 4 workers give 26.7 a second
    whatever the machine's load."""

    def __len__(self):
        return 1000

    def __getitem__(self, index):
        import time
        time.sleep(0.15)
        return dict(inputs=torch.zeros(3, 2, 4, 4), data_samples=None)


def test_the_rate_is_timed_over_whole_rounds_of_the_workers():
    """Workers started together deliver a batch each at nearly the same
    moment; timing fewer batches than a round of them understates the rate
    (the GPU check timed 8 batches of 15 workers). The count is rounded up
    to whole rounds, and the rate is then the true one."""
    from mmengine.config import ConfigDict
    tool = load_tool('benchmarks/loader.py')
    assert [tool.timed_batches(b, 4) for b in (1, 4, 5, 8)] == [4, 4, 8, 8]
    assert tool.timed_batches(8, 15) == 15 and tool.timed_batches(3, 0) == 3
    got = tool.measure_loader(ConfigDict(
        dataset=_Sleepy(), batch_size=1, num_workers=4,
        sampler=dict(type='InfiniteSampler', shuffle=False)), 5)
    assert got['batches_timed'] == 8
    assert got['samples_per_s'] == pytest.approx(4 / 0.15, rel=0.2)
    assert got['busy'] > 0.8 and got['worker_threads'] < 0.5  # asleep


def test_device_augment_compares_both_paths_on_the_same_frames(tiny_data,
                                                                capsys):
    """``--device-augment``: for VSPP and auxSKD (their real configs), the
    pipeline with flip and jitter in the worker against decode + crop plus
    the preprocessor (timed on the CPU), on the same frames (the same bare
    decode), in one table; a config whose model augments nothing stops."""
    tool = load_tool('benchmarks/loader.py')
    real = ('configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
            'configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py')
    common = ['--ann-file', osp.join(tiny_data,
                                     'demo_unlabelled_list_videos.txt'),
              '--data-root', osp.join(tiny_data, 'videos'), '--batch-size',
              '2', '--floor-samples', '1', '--json', '--device-augment']
    results = tool.main([osp.join(ROOT, real[0]), '--also',
                         osp.join(ROOT, real[1]), *common])
    text = capsys.readouterr().out
    assert [r['config'] for r in results] == [osp.basename(p) for p in real]
    for r, clips in zip(results, (1, 2)):
        cpu, dev = (r['floors'][k] for k in ('cpu-augment',
                                             'device-augment'))
        assert cpu['clips'] == dev['clips'] == clips
        assert cpu['floor_ms'] > 0 and dev['floor_ms'] > 0
        if clips == 1:  # VSPP: the transforms are stages
            assert 'ClipColorJitter' in cpu['stages']
            assert not {'Flip', 'ClipColorJitter'} & set(dev['stages'])
        assert r['prep_cpu_ms'] > 0 and r['batch'] == 1
    records = [x for x in _records(text) if x['what'] == 'augment']
    assert len(records) == 2 and records[0]['prep_cpu_ms'] > 0
    assert 'new + the preprocessor on the CPU' in text
    assert text.count('clips/s per core') >= 6
    with pytest.raises(SystemExit, match='augments nothing'):
        tool.main([osp.join(ROOT, VSPP), *common])


def test_cpu_augment_puts_the_jitter_back_in_the_workers(tiny_data):
    """``--cpu-augment``: the real VSPP config's loader as before the move
    (flip and jitter in the pipeline, the preprocessor only normalising);
    refused for a config that augments nothing on the device, and with
    ``--device-augment``."""
    from mmengine.config import Config
    tool = load_tool('benchmarks/loader.py')
    real = osp.join(
        ROOT, 'configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py')
    cfg = tool.with_cpu_augment(Config.fromfile(real))
    types = [t['type'] for t in
             tool.find_dataset(cfg.train_dataloader.dataset)['pipeline']]
    assert 'ClipColorJitter' in types and 'Flip' in types
    assert types.index('Flip') > types.index('RandomCrop')
    assert cfg.model.data_preprocessor.augments == []
    with pytest.raises(SystemExit, match='augments nothing'):
        tool.with_cpu_augment(Config.fromfile(osp.join(ROOT, VSPP)))
    with pytest.raises(SystemExit, match='exclude each other'):
        tool.main([real, '--cpu-augment', '--device-augment', '--ann-file',
                   osp.join(tiny_data, 'demo_unlabelled_list_videos.txt'),
                   '--data-root', osp.join(tiny_data, 'videos')])

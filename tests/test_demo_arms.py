"""tools/demo_arms.yaml, the demo's arms as data, and the progress file its
jobs write (ProgressFileHook)."""
import json
import os.path as osp
from types import SimpleNamespace

from mmaction.registry import HOOKS

from conftest import ROOT, load_tool
from mmauxskd.engine.hooks import ProgressFileHook

run_demo = load_tool('run_demo.py')


def test_every_arm_names_existing_configs():
    paths = [run_demo.FINETUNE, run_demo.KNN] + [
        p for arm in run_demo.ARMS.values() for p in arm['pretexts']]
    missing = [p for p in paths if not osp.exists(osp.join(ROOT, p))]
    assert not missing, missing
    assert set(run_demo.DEFAULT_ARMS) <= set(run_demo.ARMS)
    assert {a for claim in run_demo.CLAIMS for a in claim} <= set(
        run_demo.ARMS)


def test_stage_names_printed_per_job():
    names = {arm: [run_demo._stage_name(p) for p in entry['pretexts']]
             for arm, entry in run_demo.ARMS.items()}
    assert names['scratch'] == []
    assert names['auxskd_vspp'] == ['auxskd', 'vspp']
    for x in ('videopace', 'vcop', 'rspnet'):
        assert names[x] == [x]
        assert names[f'auxskd_{x}'] == ['auxskd', x]
    assert names['mlfo'] == ['mlfo'] and names['vi2clr'] == ['vi2clr']


def test_vcop_arms_pretrain_on_the_arrow_data():
    arrow = {arm for arm, entry in run_demo.ARMS.items()
             if entry['data'] == 'arrow'}
    assert arrow == {'vcop', 'auxskd_vcop'}


def test_progress_file_hook_writes_the_runs_progress(tmp_path):
    assert HOOKS.get('ProgressFileHook') is ProgressFileHook
    path = str(tmp_path / 'status.json')
    hook = ProgressFileHook(path=path, stage='stage0_vspp', interval=3600)
    runner = SimpleNamespace(iter=0, max_iters=8)
    hook.before_train(runner)
    with open(path) as f:
        assert json.load(f)['iter'] == 0
    runner.iter = 3
    hook.after_train_iter(runner, 2)  # within the interval: not rewritten
    with open(path) as f:
        assert json.load(f)['iter'] == 0
    runner.iter = 8
    hook.after_train(runner)
    with open(path) as f:
        status = json.load(f)
    assert (status['stage'], status['iter'], status['max_iters']) == (
        'stage0_vspp', 8, 8)
    assert not osp.exists(path + '.tmp')


def test_random_initialisation_readout_is_the_jobs_seeds(monkeypatch,
                                                         tmp_path):
    """The scratch arm's kNN of a random backbone is seeded by the job, so
    two runs of the demo print the same figure whatever the process drew
    before (it used to follow the process's unseeded start)."""
    import torch
    import mmauxskd.evaluation as evaluation
    draws = []

    def features(cfg, checkpoint, loaders, progress=True):
        draws.append(torch.rand(4))  # stands for the backbone's init
        return {name: None for name in loaders}

    monkeypatch.setattr(evaluation, 'frozen_features', features)
    monkeypatch.setattr(evaluation, 'build_feature_metrics', lambda cfg: [])
    monkeypatch.setattr(evaluation, 'score_features',
                        lambda metrics, gallery, query: {'knn/top1': 0.5})
    job = run_demo.Job('scratch', 3, str(tmp_path), data=str(tmp_path))
    torch.rand(7)
    job.knn('none', ['val'])
    torch.rand(11)
    job.knn('none', ['val'])
    assert torch.equal(draws[0], draws[1])
    other = run_demo.Job('scratch', 4, str(tmp_path), data=str(tmp_path))
    other.knn('none', ['val'])
    assert not torch.equal(draws[0], draws[2])


def test_quick_plans_the_full_demos_seed_0_of_two_arms():
    """--quick (with --dry-run: nothing runs) plans seed 0 of scratch and
    VSPP, the full demo's own jobs and stages, in its own work dir; it
    does not take other arms or seeds."""
    import pytest
    quick = run_demo.main(['--quick', '--dry-run'])
    full = run_demo.main(['--dry-run'])
    assert quick['jobs'] == [('vspp', 0), ('scratch', 0)]  # longest first
    assert quick['quick'] and not full['quick']
    assert quick['work_dir'] == osp.join(ROOT, 'work_dirs', 'demo_quick')
    assert full['work_dir'] == osp.join(ROOT, 'work_dirs', 'demo')
    assert set(quick['jobs']) < set(full['jobs'])
    assert quick['stages'] == {arm: full['stages'][arm]
                               for arm in ('scratch', 'vspp')}
    assert quick['stages']['vspp'] == [
        'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py',
        run_demo.FINETUNE, '10-clip test']
    assert len(full['jobs']) == 9 and full['jobs'][0][0] == 'auxskd_vspp'
    with pytest.raises(SystemExit, match='--quick runs its own'):
        run_demo.main(['--quick', '--seeds', '1', '--dry-run'])


def test_one_seed_gives_no_verdict(tiny_data, capsys):
    """What --quick prints instead of a verdict: one seed has no spread;
    the gaps are printed under a line that says so."""
    one = dict(seeds=[0], finetune_top1=(0.6, 0.0, [0.6]),
               knn_top1=(0.4, 0.0, [0.4]), stages=[])
    summary = dict(scratch=dict(one, finetune_top1=(0.3, 0.0, [0.3])),
                   vspp=one)
    lines = run_demo.report(summary, tiny_data, 60)
    assert lines and all(line.endswith('one seed: no spread to compare')
                         for line in lines)
    out = capsys.readouterr().out
    assert 'no verdict: one seed' in out and 'verdict (paper' not in out
    assert all(line in out for line in lines)
    note = ' '.join(run_demo.quick_note(['scratch', 'vspp'], [0]))
    assert 'cannot say whether VSPP beats scratch' in note
    assert 'bash tools/demo.sh' in note


def test_job_process_formats_each_config_once(monkeypatch):
    """A job's process memoises yapf's formatting (mmengine formats a
    run's config for the log, the dump and every checkpoint) and freezes
    the imported objects out of the garbage collector; the text is the
    same."""
    import gc
    import mmengine.config.config as mmengine_config
    from mmengine.config import Config
    calls, format_code = [], mmengine_config.FormatCode

    def counted(*args, **kwargs):
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counted)
    cfg = Config(dict(model=dict(type='X', depth=[1, 2]), lr=0.1))
    before = cfg.pretty_text
    try:
        run_demo._lighten_job_process()
        assert gc.get_freeze_count() > 0
        texts = [cfg.pretty_text for _ in range(3)]
        texts.append(Config(dict(cfg.to_dict())).pretty_text)
    finally:
        gc.unfreeze()
    assert texts == [before] * 4
    assert len(calls) == 2  # once before, once for the memo

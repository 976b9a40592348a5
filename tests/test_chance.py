"""A pretext stage that stayed at chance says so: the margin on fixed
numbers, the hook on a tiny run that cannot learn, the demo's table and
summary, the sweep."""
import json
import os.path as osp

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmaction.structures import ActionDataSample

from conftest import load_tool
from mmauxskd.evaluation import (at_chance, chance_margin, did_not_learn,
                                 did_not_learn_line, stage_findings)


def test_margin_and_findings_on_fixed_numbers():
    # 2 binomial SDs: 256 clips at chance 0.25 must pass 0.304
    assert chance_margin(0.25, 256) == pytest.approx(0.0541, abs=1e-4)
    assert at_chance(0.30, 0.25, 256) and not at_chance(0.31, 0.25, 256)
    vspp = {'val/pretext/acc_pace': 0.27, 'val/pretext/chance_pace': 0.25,
            'val/pretext/count_pace': 256, 'val/pretext/acc_segment': 0.60,
            'val/pretext/chance_segment': 0.25,
            'val/pretext/count_segment': 200}
    findings = stage_findings(vspp)
    assert [(f['task'], f['at_chance']) for f in findings] == [
        ('pace', True), ('segment', False)]
    assert not did_not_learn(findings)  # the segment task was learned
    assert did_not_learn_line('vspp', findings) is None
    vspp['val/pretext/acc_segment'] = 0.30
    line = did_not_learn_line('vspp', stage_findings(vspp))
    assert line.startswith('!!! PRETEXT STAGE DID NOT LEARN: vspp: pace '
                           '0.270 (chance 0.250, needs > 0.304 over 256')
    assert 'segment 0.300 (chance 0.250, needs > 0.311 over 200' in line
    # the instance readout: 32 pairs at 1/32 must pass 0.093; beside a
    # random initialisation at 0.45, 0.45 + 2 sqrt(0.45 0.55 / 32) = 0.626
    inst = {'instance/top1': 0.5, 'instance/chance': 1 / 32,
            'instance/pairs': 32, 'instance/videos': 32}
    (alone, ) = stage_findings(inst)
    assert alone['needs'] == pytest.approx(0.0928, abs=1e-4)
    assert not alone['at_chance']
    (beside, ) = stage_findings(inst, random={'instance/top1': 0.45})
    assert beside['baseline'] == 0.45 and beside['at_chance']
    assert beside['needs'] == pytest.approx(0.626, abs=1e-3)
    assert 'random init 0.450' in did_not_learn_line('auxskd', [beside])
    # top-1 where the random initialisation has it, but the views' cosine
    # gap 0.07 +- 0.01 over the random init's 0.002: learned
    inst.update({'instance/cos_gap': 0.07, 'instance/cos_gap_se': 0.01})
    rand = {'instance/top1': 0.5, 'instance/cos_gap': 0.002}
    (gap, ) = stage_findings(inst, random=rand)
    assert gap['gap_needs'] == pytest.approx(0.022)
    assert not gap['at_chance']
    inst['instance/cos_gap'] = 0.01  # within 2 SEs: did not learn
    line = did_not_learn_line('auxskd', stage_findings(inst, random=rand))
    assert 'cosine gap 0.010 (random init 0.002, needs > 0.022)' in line
    # no chance or count (older logs): nothing judged, nothing said
    assert stage_findings({'pretext/acc_pace': 0.2}) == []
    assert did_not_learn_line('x', []) is None
    # the line names the margin the findings were judged with
    assert '(within 3 SDs' in did_not_learn_line(
        'vspp', stage_findings(vspp, z=3), z=3)


class ConstantModel(BaseModel):
    """Always predicts class 0 of 4: at chance on balanced labels."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return dict(loss=(self.w - 1).pow(2).sum())
        for s in data_samples:
            s.set_field(torch.tensor(0), 'pred_pace_label')
            s.set_field(torch.zeros(4), 'pred_pace_score')
        return data_samples


class Balanced(torch.utils.data.Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        return dict(inputs=torch.zeros(1), data_samples=ActionDataSample(
            metainfo=dict(pace_label=i % 4)))


def test_hook_prints_the_line_after_a_run_that_cannot_learn(tmp_path):
    def loader():
        return dict(dataset=Balanced(), batch_size=32, num_workers=0,
                    sampler=dict(type='DefaultSampler', shuffle=False),
                    collate_fn=dict(type='pseudo_collate'))

    runner = Runner(
        model=ConstantModel(), work_dir=str(tmp_path),
        train_dataloader=loader(), val_dataloader=loader(),
        train_cfg=dict(by_epoch=True, max_epochs=1, val_interval=1),
        val_cfg=dict(), val_evaluator=dict(type='PretextAccMetric',
                                           tasks=('pace', )),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=[dict(type='ChanceCheckHook')],
        default_hooks=dict(checkpoint=None), default_scope='mmaction',
        log_level='WARNING')
    runner.train()
    line = runner.message_hub.get_info('did_not_learn')
    assert line.startswith('!!! PRETEXT STAGE DID NOT LEARN')
    assert 'pace 0.250 (chance 0.250, needs > 0.358 over 64' in line
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        assert line in f.read()


def _results():
    """Two seeds of an auxSKD + VSPP arm: seed 1's auxSKD stayed at its
    random initialisation; kNN ties exactly."""
    results = []
    for seed, top1, gap in ((0, 0.8, 0.2), (1, 0.42, 0.01)):
        random = 0.4
        line = did_not_learn_line(f'auxskd_vspp seed {seed}, stage 0 '
                                  '(auxskd)', stage_findings(
                                      {'instance/top1': top1,
                                       'instance/chance': 1 / 32,
                                       'instance/pairs': 32,
                                       'instance/cos_gap': gap,
                                       'instance/cos_gap_se': 0.01},
                                      {'instance/top1': random,
                                       'instance/cos_gap': 0.002}))
        results.append(dict(
            arm='auxskd_vspp', seed=seed, finetune_top1=0.5, knn_top1=0.4,
            finetune_val_top1=0.5,
            after_stage_that_did_not_learn=['auxskd'] if line else [],
            stages=[dict(name='auxskd', pretext={}, knn_val=0.28125,
                         instance=dict(top1=top1, chance=1 / 32, videos=32,
                                       pairs=32, random=random, cos_gap=gap,
                                       random_cos_gap=0.002),
                         did_not_learn=line),
                    dict(name='vspp', pretext=dict(acc_pace=0.7),
                         knn_val=0.5 + seed / 10, did_not_learn=None)]))
    return results


def test_demo_prints_the_readout_ties_and_the_stage_that_did_not_learn(
        tmp_path, capsys):
    run_demo = load_tool('run_demo.py')
    for split in ('test', 'train'):
        (tmp_path / f'demo_{split}_list_videos.txt').write_text('a 0\n')
    summary = run_demo.summarise(_results(), ['auxskd_vspp'])
    summary = json.loads(json.dumps(summary))  # as the JSON holds it
    stage = summary['auxskd_vspp']['stages'][0]
    assert stage['instance.top1'][2] == [0.8, 0.42]
    assert stage['instance.random'][0] == pytest.approx(0.4)
    assert list(stage['did_not_learn']) == ['1']
    assert summary['auxskd_vspp']['after_stage_that_did_not_learn'] == [1]
    run_demo.report(summary, str(tmp_path), 1.0)
    out = capsys.readouterr().out
    assert ('instance top-1 0.610 +- 0.190 (random init 0.400 +- 0.000, '
            'chance 0.031, 32 videos)') in out
    assert 'no own-task accuracy' not in out
    assert ("views' cosine gap 0.105 +- 0.095 (random init 0.002 +- "
            '0.000)') in out
    assert ('(the 2 seeds tie exactly: kNN, instance random init, cosine '
            'gap random init)') in out
    assert ('!!! PRETEXT STAGE DID NOT LEARN: auxskd_vspp seed 1, stage 0 '
            '(auxskd): instance top-1 0.420') in out
    assert '! after a stage that did not learn: seed 1' in out
    # the tables of a summary with the fields (older ones: unchanged,
    # tests/test_demo_tables.py)
    tables = load_tool('analysis/demo_tables.py')
    text = tables.render(dict(summary=summary, seconds=1.0), 'x.json')
    assert ("| Instance top-1 | Instance top-1, random init | Views' cosine"
            ' gap | Cosine gap, random init | kNN (val) |') in text
    assert 'auxSKD (did not learn: seed 1)' in text
    assert '| auxSKD + VSPP (!: seed 1) |' in text


def test_sweep_prints_the_line_from_a_runs_logged_validation(tmp_path):
    sweep = load_tool('analysis/sweep.py')
    work = tmp_path / 'lr=0.1_seed0' / 'vis_data'
    work.mkdir(parents=True)
    rows = [dict(lr=0.1, loss=1.0, step=1),
            {'pretext/acc_order': 0.17, 'pretext/chance_order': 1 / 6,
             'pretext/count_order': 256, 'step': 2}]
    (work / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in rows))
    (line, ) = sweep.stalled_lines({('lr=0.1', 0): str(tmp_path /
                                                        'lr=0.1_seed0')})
    assert line.startswith('!!! PRETEXT STAGE DID NOT LEARN: lr=0.1 seed 0:'
                           ' order 0.170')
    # the table's own figures are the float ones, as before
    assert sweep.last_val_metrics(str(tmp_path)) == {
        'pretext/acc_order': 0.17, 'pretext/chance_order': 1 / 6}

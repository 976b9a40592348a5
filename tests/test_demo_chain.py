"""The demo's chains end to end (paper §4.3), as tools/run_demo.py runs them.

For each X (VideoPace, VCOP, RSPNet) on the tiny demo data, one epoch per
stage: auxSKD with X's sampling, X, finetuning of the stock Recognizer3D,
the kNN readouts and the 10-clip test; and the parent that runs the default
arms (VSPP among them) over seeds and reports. What is checked is what each stage
hands to the next and that every readout is reported, not the accuracy.
"""
import json
import os
import os.path as osp

import pytest
import torch

from conftest import load_tool
from mmauxskd.utils.checkpoint import safe_torch_load

run_demo = load_tool('run_demo.py')

TINY = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False']
# a tensor only X's model has (its heads), and X's own-task accuracy
X_KEYS = dict(videopace='head.fc_pace.weight',
              vcop='head.fc_order.weight', rspnet='speed_neck.')
X_TASKS = dict(videopace={'acc_pace'},
               vcop={'acc_order'}, rspnet={'acc_relspeed'})


def _state(path):
    return safe_torch_load(path)['state_dict']


def _last(work):
    with open(osp.join(work, 'last_checkpoint')) as f:
        return f.read().strip()


@pytest.mark.parametrize('x', ['videopace', 'vcop', 'rspnet'])
def test_auxskd_then_x_then_finetune_and_test(tiny_data, tmp_path, x):
    job = run_demo.Job(f'auxskd_{x}', 0, str(tmp_path), tiny_data, TINY)
    result = job.run()
    stages = [osp.join(job.work, f'stage{i}_{name}')
              for i, name in enumerate(('auxskd', x))]
    aux_sd, x_sd = (_state(_last(w)) for w in stages)
    ft_sd = _state(_last(osp.join(job.work, 'finetune')))

    # every readout, each a fraction
    assert [s['name'] for s in result['stages']] == ['auxskd', x]
    # auxSKD: the instance readout (4 held-out videos), beside its random
    # initialisation's; RSPNet's appearance task too
    assert result['stages'][0]['pretext'] == {}
    for stage in result['stages'][:1] + result['stages'][1:] * (
            x == 'rspnet'):
        readout = stage['instance']
        assert readout['videos'] == 4 and readout['chance'] == 0.25
        assert 0 <= readout['top1'] <= 1 and 0 <= readout['random'] <= 1
    assert set(result['stages'][1]['pretext']) == X_TASKS[x]
    for key in ('knn_top1', 'finetune_top1', 'finetune_val_top1'):
        assert 0.0 <= result[key] <= 1.0, key
    assert all(0 <= s['knn_val'] <= 1 for s in result['stages'])

    # stage 1 is auxSKD with X's sampling: a teacher and a queue
    assert any(k.startswith('momentum_contrast.encoder.') for k in aux_sd)
    assert 'queue' in ''.join(aux_sd)
    # stage 2 is X's own model, started from the student's backbone only
    assert any(k.startswith(X_KEYS[x]) for k in x_sd), sorted(x_sd)[-5:]
    assert not any(k.startswith('predictor.') for k in x_sd)
    if x == 'rspnet':  # its key encoder starts fresh, not copied
        key = x_sd['momentum_contrast.encoder.module.backbone.conv1.conv.'
                   'conv_s.weight']
        assert not torch.allclose(
            key, aux_sd['backbone.conv1.conv.conv_s.weight'], atol=1e-2)
    else:
        assert not any(k.startswith('momentum_contrast.') for k in x_sd)
    given = _state(osp.join(stages[1], 'pretrained_0.pth'))
    student = {k: v for k, v in aux_sd.items() if k.startswith('backbone.')}
    assert given.keys() == student.keys()
    assert all(torch.equal(given[k], student[k]) for k in student)
    # finetuning is the stock recognizer: backbone + cls_head
    assert {k.split('.')[0] for k in ft_sd} == {'backbone', 'cls_head'}
    given = _state(osp.join(job.work, 'finetune', 'pretrained_0.pth'))
    assert all(torch.equal(given[k], x_sd[k]) for k in given)
    assert given.keys() == {k for k in x_sd if k.startswith('backbone.')}


def test_demo_runs_arms_and_seeds_and_reports(tiny_data, tmp_path, capsys):
    """The parent: jobs in processes, progress, the table, the verdict, the
    plot, the summary, and checkpoints pruned to the last of each stage."""
    work = str(tmp_path / 'demo')
    summary = run_demo.main([
        '--arms', 'scratch', 'vspp', '--seeds', '0', '1', '--jobs', '2',
        '--device', 'cpu', '--data', tiny_data, '--work-dir', work,
        '--progress-every', '1', '--cfg-options'] + TINY)
    out = capsys.readouterr().out
    assert set(summary) == {'scratch', 'vspp'}
    assert summary['vspp']['seeds'] == [0, 1]
    assert len(summary['vspp']['finetune_top1'][2]) == 2
    assert 'pretext.acc_pace' in summary['vspp']['stages'][0]
    assert 0 <= summary['scratch']['knn_val_random'][0] <= 1
    assert 'random initialisation' in out
    assert 'vspp > scratch (finetune, 10-clip top-1)' in out
    assert 'done vspp seed 1' in out
    assert osp.getsize(osp.join(work, 'demo_results.png')) > 1000
    with open(osp.join(work, 'demo_results.json')) as f:
        saved = json.load(f)
    assert len(saved['results']) == 4 and saved['verdict']
    finetune = osp.join(work, 'vspp', 'seed1', 'finetune')
    assert osp.exists(_last(finetune))
    assert not osp.exists(osp.join(finetune, 'pretrained_0.pth'))


def test_vcop_arms_pretrain_on_videos_with_an_arrow_of_time(tiny_data,
                                                            tmp_path):
    assert run_demo.pretext_data('/d', 'vcop') == '/d_arrow'
    assert run_demo.pretext_data('/d', 'auxskd_vcop') == '/d_arrow'
    assert run_demo.pretext_data('/d', 'vspp') == '/d'
    arrow = str(tmp_path / 'demo_arrow')
    run_demo.make_data(arrow, 'demo_unlabelled_list_videos.txt', '--growth',
                       '0.75', '--num-unlabelled', '2', '--num-pretext-val',
                       '1', '--num-train', '0', '--num-test', '0',
                       '--num-val', '0', '--min-frames', '16',
                       '--max-frames', '16')
    assert sorted(f for f in os.listdir(arrow) if f.endswith('.txt')) == [
        'classnames.txt', 'demo_pretext_val_list_videos.txt',
        'demo_unlabelled_list_videos.txt']
    job = run_demo.Job('vcop', 0, str(tmp_path), tiny_data, pretext=arrow)
    cfg = job.config(run_demo.ARMS['vcop']['pretexts'][0], 'unlabelled',
                     str(tmp_path / 'vcop'))
    assert cfg.train_dataloader.dataset.ann_file == osp.join(
        arrow, 'demo_unlabelled_list_videos.txt')
    for dataset in cfg.val_dataloader.dataset.datasets:  # held-out clips
        assert dataset.ann_file == osp.join(
            arrow, 'demo_pretext_val_list_videos.txt')
    # finetuning and its readouts: the labelled videos every arm uses
    cfg = job.config(run_demo.FINETUNE, 'train', str(tmp_path / 'ft'))
    assert cfg.train_dataloader.dataset.ann_file == osp.join(
        tiny_data, 'demo_train_list_videos.txt')

"""Readouts that show a stage learned: kNN on frozen features, the pretext
task on held-out clips, and the iteration budget of the demo recipes."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmaction.registry import METRICS, MODELS

from conftest import ROOT, load_tool
from mmauxskd.evaluation import evaluate_frozen_backbone, knn_predict
from mmauxskd.cfg import (check_clip_geometry, iter_schedule, pretext_val,
                          set_config_decoder)

KNN = 'configs/knn/knn_r2plus1d-r10_16x1x10_demo-rgb.py'
VSPP = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'


def knn_loop(query, gallery, labels, k, t, num_classes):
    """Weighted kNN written out one query and one neighbour at a time."""
    out = []
    for q in query:
        sims = [float(np.dot(q, g) / np.linalg.norm(q) / np.linalg.norm(g))
                for g in gallery]
        order = sorted(range(len(gallery)), key=lambda i: -sims[i])[:k]
        votes = [0.0] * num_classes
        for i in order:
            votes[labels[i]] += np.exp(sims[i] / t)
        out.append(votes)
    return np.array(out)


@pytest.mark.parametrize('k', [1, 3, 50])
def test_knn_predict_matches_a_loop(k):
    rng = np.random.default_rng(0)
    query, gallery = rng.normal(size=(7, 5)), rng.normal(size=(12, 5))
    labels = rng.integers(0, 3, 12)
    expected = knn_loop(query, gallery, labels, min(k, 12), 0.07, 3)
    np.testing.assert_allclose(knn_predict(query, gallery, labels, k, 0.07,
                                           3), expected, rtol=1e-9)


def test_knn_metric_on_separable_and_on_shuffled_features():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16)) * 5

    def feats(labels):
        return centres[labels] + rng.normal(size=(len(labels), 16))

    gallery_labels, query_labels = np.arange(16) % 4, np.arange(40) % 4
    metric = METRICS.build(dict(type='KNNAccMetric', k=5))
    samples = [dict(feat=f, gt_label=torch.tensor([y]), subset='gallery')
               for f, y in zip(feats(gallery_labels), gallery_labels)]
    samples += [dict(feat=f, gt_label=torch.tensor([y]), subset='query')
                for f, y in zip(feats(query_labels), query_labels)]
    metric.process(None, samples)
    assert metric.evaluate(len(samples))['knn/top1'] == 1.0
    # features that carry no class: about chance
    metric = METRICS.build(dict(type='KNNAccMetric', k=5))
    for s in samples:
        s['feat'] = rng.normal(size=16)
    metric.process(None, samples)
    assert metric.evaluate(len(samples))['knn/top1'] < 0.6
    with pytest.raises(ValueError, match='k must be'):
        METRICS.build(dict(type='KNNAccMetric', k=0))


def test_pretext_acc_metric_ignores_unaltered_clips():
    metric = METRICS.build(dict(type='PretextAccMetric',
                                tasks=('pace', 'segment')))
    rows = [(0, 0, 1, -1), (1, 1, 2, 2), (2, 3, 0, 0), (3, 3, 1, 3)]
    metric.process(None, [
        dict(pred_pace_label=torch.tensor(p), pace_label=pl,
             pred_segment_label=torch.tensor(s), segment_label=sl,
             pred_pace_score=torch.zeros(4))
        for p, pl, s, sl in rows])
    out = metric.evaluate(4)
    assert out['pretext/acc_pace'] == 0.75
    assert out['pretext/acc_segment'] == pytest.approx(2 / 3)  # -1 left out
    assert out['pretext/chance_pace'] == 0.25
    with pytest.raises(KeyError, match='order_label'):
        METRICS.build(dict(type='PretextAccMetric', tasks=('order', ))
                      ).process(None, [dict(pred_order_label=0)])


def test_pretext_val_is_held_out_deterministic_and_unaugmented(tiny_data):
    cfg = Config.fromfile(osp.join(ROOT, VSPP))
    assert 'pretext_val' in cfg.val_dataloader.dataset.datasets[0].ann_file
    assert cfg.val_evaluator.type == 'PretextAccMetric'
    for i, dataset in enumerate(cfg.val_dataloader.dataset.datasets):
        types = [t['type'] for t in dataset.pipeline]
        assert 'Flip' not in types and 'ClipColorJitter' not in types
        assert 'CenterCrop' in types
        sampler = dataset.pipeline[types.index('SegmentPaceSampler')]
        assert sampler['test_mode'] and sampler['seed'] == i
    datasets = cfg.val_dataloader.dataset.datasets
    for d in datasets:
        d.ann_file = osp.join(tiny_data, 'demo_pretext_val_list_videos.txt')
        d.data_prefix.video = osp.join(tiny_data, 'videos')

    def draws():
        loader = Runner.build_dataloader(cfg.val_dataloader)
        return [(int(s.pace_label), int(s.segment_label))
                for batch in loader for s in batch['data_samples']]

    first, again = draws(), draws()
    assert first == again  # the same clips every time
    assert len(first) == 4 * len(datasets)
    assert len(set(first)) > 2  # the draws differ across seeds and videos
    with pytest.raises(KeyError, match='pretext sampler'):
        pretext_val(cfg.val_dataloader.dataset.datasets[0].pipeline[2:],
                    {}, ('pace', ))


def test_config_helpers_reach_the_held_out_datasets():
    """The decoder switch and the geometry check walk into pretext_val's
    ConcatDataset, not only the training loader."""
    cfg = Config.fromfile(osp.join(ROOT, VSPP))
    assert set_config_decoder(cfg, 'pyav') == ['train_dataloader',
                                               'val_dataloader']
    held_out = cfg.val_dataloader.dataset.datasets
    assert {d.pipeline[0]['type'] for d in held_out} == {'PyAVSeekInit'}
    check_clip_geometry(cfg)
    crop = [t for t in held_out[1].pipeline if t['type'] == 'CenterCrop']
    crop[0]['crop_size'] = 99
    with pytest.raises(ValueError, match='val_dataloader.dataset.pipeline'):
        check_clip_geometry(cfg)


def _lr_trace(schedulers, steps, iters_per_epoch=6, lr=0.1):
    """The lr at each of ``steps`` steps under mmengine's schedulers."""
    from mmengine.optim import OptimWrapper
    from mmengine.registry import PARAM_SCHEDULERS
    optim = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=lr)
    wrapper = OptimWrapper(optim)
    built = [PARAM_SCHEDULERS.build(
        dict(s, optimizer=wrapper, epoch_length=iters_per_epoch))
        for s in schedulers]
    lrs = []
    for _ in range(steps):
        lrs.append(optim.param_groups[0]['lr'])
        for s in built:
            s.step()
    return np.array(lrs)


def test_iter_schedule_warms_up_then_decays_to_zero():
    train_cfg, schedulers, _, hooks = iter_schedule(100, iters_per_epoch=6)
    assert train_cfg['max_epochs'] == 17  # ceil(100 / 6)
    assert train_cfg['val_interval'] == 17
    lrs = _lr_trace(schedulers, 17 * 6)
    assert lrs[0] == pytest.approx(0.001)  # 1% at the first step
    assert max(lrs) == pytest.approx(0.1, rel=1e-3)
    assert lrs[-1] < 0.002  # a cosine down to ~0
    # most steps at a useful lr (what 20-epoch step decays did not give)
    assert np.mean(lrs > 0.01) > 0.6
    assert hooks['checkpoint']['interval'] == 4  # a quarter of 17 epochs
    assert hooks['checkpoint']['save_last']
    with pytest.raises(ValueError, match='max_iters'):
        iter_schedule(0, 6)


def test_iter_schedule_flat_ratio_keeps_the_peak_lr_then_decays():
    _, schedulers, _, _ = iter_schedule(120, iters_per_epoch=6,
                                        flat_ratio=0.5)
    lrs = _lr_trace(schedulers, 20 * 6)
    assert lrs[0] == pytest.approx(0.001)  # the same warm-up (1 epoch)
    assert np.allclose(lrs[6:60], 0.1)  # flat until half of the run
    assert lrs[61] < 0.1 and lrs[-1] < 0.002  # then a cosine to ~0
    assert np.all(np.diff(lrs[60:]) <= 1e-12)
    with pytest.raises(ValueError, match='flat_ratio'):
        iter_schedule(120, 6, flat_ratio=1.0)


def test_frozen_backbone_knn_readout_on_tiny_data(tiny_data, tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, KNN))
    for loader, name in (('gallery', 'train'), ('test', 'test')):
        cfg[f'{loader}_dataloader'].dataset.ann_file = osp.join(
            tiny_data, f'demo_{name}_list_videos.txt')
        cfg[f'{loader}_dataloader'].dataset.data_prefix.video = osp.join(
            tiny_data, 'videos')
        cfg[f'{loader}_dataloader'].num_workers = 0
        cfg[f'{loader}_dataloader'].persistent_workers = False
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    metrics, feats = evaluate_frozen_backbone(cfg, ckpt, progress=False)
    assert 0 <= metrics['knn/top1'] <= 1
    assert feats['gallery'][0].shape == (8, 64)  # the demo's 8-wide net
    assert feats['query'][0].shape[0] == 4
    cfg.test_evaluator = [dict(type='KNNAccMetric', k=3),
                          dict(type='VideoRetrievalMetric', topk=(1, ))]
    metrics, _ = evaluate_frozen_backbone(cfg, ckpt, progress=False)
    assert set(metrics) == {'knn/top1', 'retrieval/R@1'}
    cfg.test_evaluator = dict(type='ClipVideoAccMetric')
    with pytest.raises(ValueError, match='not a feature metric'):
        evaluate_frozen_backbone(cfg, ckpt, progress=False)


def test_demo_verdicts_compare_gaps_with_the_seed_spread(tmp_path):
    run_demo = load_tool('run_demo.py')
    results = []
    for seed, (s, v, a) in enumerate([(0.50, 0.60, 0.70), (0.52, 0.62,
                                                            0.66),
                                      (0.48, 0.64, 0.61)]):
        for arm, top1 in (('scratch', s), ('vspp', v), ('auxskd_vspp', a)):
            results.append(dict(
                arm=arm, seed=seed, finetune_top1=top1, knn_top1=top1 - 0.1,
                finetune_val_top1=top1, knn_val_random=0.3,
                stages=[dict(name='vspp', pretext=dict(acc_pace=0.7),
                             knn_val=0.5)] if arm != 'scratch' else []))
    summary = run_demo.summarise(results, ['scratch', 'vspp', 'auxskd_vspp'])
    mean, std, values = summary['vspp']['finetune_top1']
    assert mean == pytest.approx(0.62) and values == [0.60, 0.62, 0.64]
    lines = run_demo.verdicts(summary)
    assert len(lines) == 6
    assert 'vspp > scratch (finetune' in lines[0] and 'HOLDS' in lines[0]
    # auxskd_vspp 0.657 vs vspp 0.62: +0.037 < spread 0.037..0.04
    assert 'auxskd_vspp > vspp (finetune' in lines[2]
    assert 'not shown' in lines[2]
    plot = str(tmp_path / 'plots' / 'demo.png')
    run_demo.plot(summary, plot)
    assert osp.getsize(plot) > 1000

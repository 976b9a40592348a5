"""The instance readout of the contrastive and distillation stages: the
metric against a direct computation, the seeded views, and the demo
stages' validation reporting it."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmaction.registry import METRICS, MODELS, TRANSFORMS
from mmaction.structures import ActionDataSample

from conftest import ROOT, load_tool
from mmauxskd.cfg import instance_pipeline, set_decoder, to_rawframes
from mmauxskd.evaluation import instance_readout, instance_top1

AUXSKD = 'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'
VI2CLR = 'configs/vi2clr/vi2clr_r2plus1d-r10-w8_1xb16-16x32-1200it_demo-rgb.py'


def direct_top1(first, second):
    """numpy cosine, then argmax per query, both directions (no ties)."""
    a = first / np.linalg.norm(first, axis=1, keepdims=True)
    b = second / np.linalg.norm(second, axis=1, keepdims=True)
    sim = a @ b.T
    own = np.arange(len(a))
    return np.concatenate([sim.argmax(1) == own,
                           sim.T.argmax(1) == own]).mean()


def test_top1_is_the_direct_computation_and_ties_score_chance():
    rng = np.random.default_rng(0)
    for n in (2, 5, 7):  # odd counts too
        first = rng.normal(size=(n, 6))
        second = first + rng.normal(size=(n, 6))  # some hits, some misses
        assert instance_top1(first, second) == pytest.approx(
            direct_top1(first, second), abs=1e-12)
    # one point for every video (a collapsed embedding): chance, 1 / N
    assert instance_top1(np.ones((5, 3)), np.ones((5, 3))) == \
        pytest.approx(1 / 5)
    # videos 0 and 1 tie (the same view): 1/2 each, video 2 found
    views = np.array([[1.0, 0], [1.0, 0], [0, 1.0]])
    assert instance_top1(views, views) == pytest.approx(2 / 3)
    # zero vectors tie with everything, both ways: chance, not a crash
    assert instance_top1(np.zeros((3, 2)), views) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match='N >= 2'):
        instance_top1(np.ones((1, 3)), np.ones((1, 3)))


def test_metric_scores_each_seed_as_a_gallery_and_leaves_other_samples():
    rng = np.random.default_rng(1)
    views = {0: rng.normal(size=(5, 2, 4)), 1: rng.normal(size=(3, 2, 4))}
    samples = [dict(instance_seed=s, sample_idx=v,
                    view_embeddings=torch.tensor(views[s][v]))
               for s in views for v in range(len(views[s]))]
    samples = [samples[i] for i in rng.permutation(len(samples))]
    samples.append(dict(pred_pace_label=0, pace_label=1))  # own task's
    metric = METRICS.build(dict(type='InstanceRetrievalMetric'))
    metric.process(None, samples)
    out = metric.evaluate(len(samples))
    expected = (direct_top1(views[0][:, 0], views[0][:, 1]) * 10 +
                direct_top1(views[1][:, 0], views[1][:, 1]) * 6) / 16
    assert out['instance/top1'] == pytest.approx(expected)
    assert out['instance/chance'] == pytest.approx((10 / 5 + 6 / 3) / 16)
    assert out['instance/videos'] == 5 and out['instance/pairs'] == 8
    gaps = []  # per video: own views' cosine - mean of the other pairings
    for v in views.values():
        a = v[:, 0] / np.linalg.norm(v[:, 0], axis=1, keepdims=True)
        b = v[:, 1] / np.linalg.norm(v[:, 1], axis=1, keepdims=True)
        for i in range(len(v)):
            others = [a[i] @ b[j] for j in range(len(v)) if j != i] + \
                [a[j] @ b[i] for j in range(len(v)) if j != i]
            gaps.append(a[i] @ b[i] - np.mean(others))
    assert out['instance/cos_gap'] == pytest.approx(np.mean(gaps))
    assert out['instance/cos_gap_se'] == pytest.approx(
        np.std(gaps, ddof=1) / np.sqrt(8))
    # and the own task's metric leaves the readout's samples alone
    acc = METRICS.build(dict(type='PretextAccMetric', tasks=('pace', )))
    acc.process(None, samples)
    assert acc.evaluate(1)['pretext/count_pace'] == 1
    metric = METRICS.build(dict(type='InstanceRetrievalMetric'))
    with pytest.raises(KeyError, match='view_embeddings'):
        metric.process(None, [dict(instance_seed=0, sample_idx=0)])


def test_seeded_views_draw_the_same_per_video_and_leave_the_generators():
    spec = dict(type='SeededViews', seed=3, transforms=[
        dict(type='RandomCrop', size=4), dict(type='Flip', flip_ratio=0.5),
        dict(type='ClipColorJitter')])
    views = TRANSFORMS.build(spec)
    frames = np.random.default_rng(0).integers(
        0, 255, (4, 16, 16, 3), dtype=np.uint8)

    def draw(name):
        out = views.transform(dict(filename=f'/x/{name}.mp4', imgs=list(
            frames.copy()), img_shape=(16, 16), modality='RGB'))
        assert out['instance_seed'] == 3
        return np.stack(out['imgs'])

    state = np.random.get_state()[1].copy()
    first = draw('a')
    assert (np.random.get_state()[1] == state).all()  # restored
    np.random.rand()  # whatever the process drew in between
    assert np.array_equal(draw('a'), first)
    assert not np.array_equal(draw('b'), first)
    np.random.rand(7)  # built at another moment (ColorJitter draws then)
    views = TRANSFORMS.build(spec)
    assert np.array_equal(draw('a'), first)
    with pytest.raises(ValueError, match='seed'):
        TRANSFORMS.build(dict(type='SeededViews', seed=-1, transforms=[]))


def test_the_readout_keeps_the_init_where_decoder_switches_find_it():
    train = [dict(type='PyAVSeekInit'),
             dict(type='SampleFrames', clip_len=4),
             dict(type='PyAVSeekDecode'), dict(type='RandomCrop', size=8),
             dict(type='PackActionInputs')]
    pipeline = instance_pipeline(train, seed=2)
    assert [t['type'] for t in pipeline] == [
        'PyAVSeekInit', 'SeededViews', 'PackActionInputs']
    assert pipeline[-1]['meta_keys'][-2:] == ('sample_idx', 'instance_seed')
    decord = set_decoder(pipeline, 'torchcodec')
    assert decord[1]['transforms'][1]['type'] == 'TorchCodecDecode'
    frames = to_rawframes(pipeline)
    assert frames[0]['transforms'][1]['type'] == 'RawFrameDecode'
    with pytest.raises(KeyError, match='PackActionInputs'):
        instance_pipeline(train[:-1])


def test_contrastive_demo_stages_validate_with_the_readout():
    run_demo = load_tool('run_demo.py')
    paths = {p for arm in run_demo.ARMS.values() for p in arm['pretexts']
             if osp.basename(p).split('_')[0].split('-')[0] in
             ('auxskd', 'rspnet', 'mlfo', 'vi2clr')}
    assert len(paths) == 7
    for path in sorted(paths):
        cfg = Config.fromfile(osp.join(ROOT, path))
        evaluators = cfg.val_evaluator if isinstance(
            cfg.val_evaluator, list) else [cfg.val_evaluator]
        assert 'InstanceRetrievalMetric' in [e['type'] for e in evaluators]
        seeded = [d for d in cfg.val_dataloader.dataset.datasets
                  if d.pipeline[1]['type'] == 'SeededViews']
        assert len(seeded) == 4, path  # 4 seeds of 32 videos: 128 pairs
        assert seeded[0].ann_file.endswith('pretext_val_list_videos.txt')
        opts = run_demo.data_options('/d', 'unlabelled', cfg)
        assert all(v.startswith('/d/') for v in opts.values())


def test_auxskd_demo_validation_reports_the_readout(tiny_data):
    cfg = Config.fromfile(osp.join(ROOT, AUXSKD))
    assert cfg.val_evaluator.type == 'InstanceRetrievalMetric'
    for d in cfg.val_dataloader.dataset.datasets:
        d.ann_file = osp.join(tiny_data, 'demo_pretext_val_list_videos.txt')
        d.data_prefix.video = osp.join(tiny_data, 'videos')
    out = instance_readout(cfg, seed=0)  # the validation, random init
    assert out['instance/videos'] == 4 and out['instance/pairs'] == 16
    assert out['instance/chance'] == 0.25
    assert 0 <= out['instance/top1'] <= 1
    assert instance_readout(cfg, seed=0) == out  # seeded views and init


def test_vi2clr_predict_embeds_both_crops_with_r_v():
    cfg = Config.fromfile(osp.join(ROOT, VI2CLR))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    assert model.readout_embedding == 'video'
    clips = torch.randn(2, 2, 3, 8, 32, 32)
    samples = model.predict(clips, [ActionDataSample() for _ in range(2)])
    emb = torch.stack([s.view_embeddings for s in samples])
    assert emb.shape == (2, 2, 128)
    expected = torch.nn.functional.normalize(model.embed(clips[:, 1],
                                                         'video'), dim=1)
    torch.testing.assert_close(emb[:, 1], expected)

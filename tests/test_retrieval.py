"""Video retrieval: R@k by hand, feature pooling, weights, the tool."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample

from conftest import load_tool, write_config
from mmauxskd.evaluation import extract_video_features, recall_at_k
from mmauxskd.utils.checkpoint import load_backbone_weights


@pytest.fixture(autouse=True)
def _mmaction_scope():
    """Registry names resolve in mmaction's scope, whatever ran before."""
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield

# A gallery where cosine similarity, the raw dot product and the euclidean
# distance rank differently: g2 points along x but is 10 times longer.
GALLERY = np.array([[1, 0], [0, 1], [10, 1], [-1, 0], [1, 1]], float)
GALLERY_LABELS = np.array([0, 1, 1, 2, 0])
QUERY = np.array([[1, 0], [0.2, 1], [5, 0.4], [0.9, -0.1], [0.1, 1]])
QUERY_LABELS = np.array([0, 1, 1, 2, 0])
# cosine rankings worked out by hand:
#   q0 (label 0): g0 1.00, g2 .995, g4 .707, g1 0, g3 -1     -> hit at 1
#   q1 (label 1): g1 .981, g4 .832, g2 .293, g0 .196, g3     -> hit at 1
#   q2 (label 1): g2 .9998, g0 .997, g4 .761, g1, g3          -> hit at 1
#   q3 (label 2): g0 .994, g2 .978, g4 .625, g1 -.11, g3 -.99 -> hit at 5
#   q4 (label 0): g1 .995, g4 .774, g2 .198, g0 .0995, g3     -> hit at 2
# (the raw dot product would put g2 first for q0, a miss; the euclidean
# distance would put g0 first for q2, a miss)
EXPECTED = {1: 3 / 5, 2: 4 / 5, 4: 4 / 5, 5: 1.0, 20: 1.0}


def test_recall_at_k_matches_hand_computation():
    got = recall_at_k(QUERY, QUERY_LABELS, GALLERY, GALLERY_LABELS,
                      topk=tuple(EXPECTED))
    assert got == pytest.approx(EXPECTED)
    # only the direction counts: rescaling any feature changes nothing
    scaled = recall_at_k(QUERY * [[3], [0.1], [7], [1], [2]], QUERY_LABELS,
                         GALLERY * [[5], [1], [0.2], [9], [1]],
                         GALLERY_LABELS, topk=tuple(EXPECTED))
    assert scaled == pytest.approx(EXPECTED)
    with pytest.raises(ValueError, match='queries and a gallery'):
        recall_at_k(QUERY[:0], QUERY_LABELS[:0], GALLERY, GALLERY_LABELS)


def test_retrieval_metric_splits_queries_and_gallery():
    metric = METRICS.build(dict(type='VideoRetrievalMetric', topk=(1, 2, 5)))
    samples = [dict(feat=torch.tensor(f), gt_label=torch.tensor([label]),
                    subset='gallery') for f, label in zip(GALLERY,
                                                          GALLERY_LABELS)]
    samples += [dict(feat=f, gt_label=label, subset='query')
                for f, label in zip(QUERY, QUERY_LABELS)]
    order = np.random.default_rng(0).permutation(len(samples))
    metric.process(None, [samples[i] for i in order])
    results = metric.evaluate(len(samples))
    assert results == pytest.approx(
        {'retrieval/R@1': 0.6, 'retrieval/R@2': 0.8, 'retrieval/R@5': 1.0})
    with pytest.raises(KeyError, match='tools/analysis/retrieval.py'):
        metric.process(None, [dict(pred_score=torch.zeros(3),
                                   gt_label=torch.tensor([0]))])


class _IdentityBackbone(torch.nn.Module):
    """A Recognizer3D stand-in whose backbone output is its input."""

    def data_preprocessor(self, data, training):
        assert training is False
        return data

    def extract_feat(self, inputs, stage):
        assert stage == 'backbone'
        return inputs.reshape((-1, ) + inputs.shape[2:]), {}


def test_features_are_pooled_then_averaged_over_clips():
    rng = torch.Generator().manual_seed(0)
    batches, expected, labels = [], [], []
    for b in range(2):  # 2 batches of 3 videos, 4 clips of (2, 3, 2, 2)
        inputs = torch.rand(3, 4, 2, 3, 2, 2, generator=rng)
        samples = [ActionDataSample().set_gt_label(3 * b + i)
                   for i in range(3)]
        batches.append(dict(inputs=inputs, data_samples=samples))
        for v in range(3):
            # by hand: channel means over T, H, W of each clip, then clips
            clip_means = [[inputs[v, c, ch].mean() for ch in range(2)]
                          for c in range(4)]
            expected.append(np.mean(np.array(clip_means), axis=0))
            labels.append(3 * b + v)
    feats, got_labels = extract_video_features(_IdentityBackbone(), batches,
                                               progress=False)
    assert feats.shape == (6, 2)
    np.testing.assert_allclose(feats, np.array(expected), rtol=1e-5)
    assert got_labels.tolist() == labels


def test_backbone_weights_load_exactly(tmp_path):
    model = torch.nn.Module()
    model.backbone = torch.nn.Linear(3, 2)
    model.cls_head = torch.nn.Linear(2, 4)
    source = torch.nn.Linear(3, 2)
    state = {f'backbone.{k}': v for k, v in source.state_dict().items()}
    state['cls_head.weight'] = torch.ones(9, 9)  # never loaded
    torch.save(dict(state_dict=state, meta={}), tmp_path / 'a.pth')
    assert load_backbone_weights(model, str(tmp_path / 'a.pth')) == 2
    assert torch.equal(model.backbone.weight, source.weight)
    torch.save(dict(state_dict={f'student.{k}': v for k, v in state.items()
                                if 'backbone' in k}), tmp_path / 'b.pth')
    with pytest.raises(KeyError, match='no tensor named backbone'):
        load_backbone_weights(model, str(tmp_path / 'b.pth'))
    assert load_backbone_weights(model, str(tmp_path / 'b.pth'),
                                 prefix='student.backbone.') == 2
    torch.save({'backbone.weight': torch.zeros(2, 3)}, tmp_path / 'c.pth')
    with pytest.raises(RuntimeError, match='bias'):  # incomplete backbone
        load_backbone_weights(model, str(tmp_path / 'c.pth'))


def test_retrieval_tool_on_tiny_demo_data(tiny_data, tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmaction.registry import MODELS
    base = 'configs/retrieval/retrieval_r2plus1d-r10_16x1x10_demo-rgb.py'
    body = f"""
from mmauxskd.cfg import update_pipeline
_pipe = update_pipeline(_base_.test_pipeline,
                        SampleFrames=dict(num_clips=2, clip_len=8))
_loader = dict(num_workers=0, persistent_workers=False)
_data = dict(data_prefix=dict(video={osp.join(tiny_data, 'videos')!r}),
             pipeline=_pipe)
test_dataloader = dict(dataset=dict(
    ann_file={osp.join(tiny_data, 'demo_test_list_videos.txt')!r}, **_data),
    **_loader)
gallery_dataloader = dict(dataset=dict(
    ann_file={osp.join(tiny_data, 'demo_train_list_videos.txt')!r}, **_data),
    **_loader)
"""
    config = write_config(tmp_path, base, body)
    init_default_scope('mmaction')
    model = MODELS.build(Config.fromfile(config).model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta={}),
               tmp_path / 'ckpt.pth')
    tool = load_tool('analysis/retrieval.py')
    npz = str(tmp_path / 'feats.npz')
    results = tool.main([config, str(tmp_path / 'ckpt.pth'), '--no-progress',
                         '--dump-features', npz, '--topk', '1', '5'])
    feats = np.load(npz)
    assert feats['gallery'].shape == (8, 64)  # the demo's 8-wide net
    assert feats['query'].shape == (4, 64)
    assert feats['gallery_labels'].tolist() == [0, 1, 2, 3] * 2
    expected = recall_at_k(feats['query'], feats['query_labels'],
                           feats['gallery'], feats['gallery_labels'], (1, 5))
    assert results == pytest.approx(
        {'retrieval/R@1': expected[1], 'retrieval/R@5': expected[5]})

"""Clip and video accuracy of a multi-clip test, against a hand computation."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmaction.registry import METRICS, MODELS
from mmaction.structures import ActionDataSample

from mmauxskd.evaluation import ClipScoresHook
from mmauxskd.evaluation import clip_video_acc


@pytest.fixture(autouse=True)
def _mmaction_scope():
    """Registry names resolve in mmaction's scope, whatever ran before."""
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield

# 3 videos x 2 clips x 3 classes of raw logits; labels 0, 1, 2
LOGITS = np.array([
    [[3, 0, -1], [0.5, 1, 0]],    # clips: right, wrong
    [[4, 0.1, 0], [-20, 2, 0]],   # clips: wrong, right
    [[0, 0.5, 1], [0, 0.1, 2]],   # clips: right, right
])
LABELS = [0, 1, 2]
# by hand (softmax of each clip, then the mean over the 2 clips):
#   v0: [.622 .277 .102] -> 0 right   logits mean [1.75 .5 -.5] -> 0 right
#   v1: [.481 .450 .068] -> 0 wrong   logits mean [-8 1.05 0]   -> 1 right
#   v2: [.146 .212 .642] -> 2 right   logits mean [0 .3 1.5]    -> 2 right
# top-2: every video and every clip has its label among its 2 best classes
EXPECTED = {
    'acc/top1': 2 / 3, 'acc/top2': 1.0, 'acc/mean1': 2 / 3,
    'acc/clip_top1': 4 / 6, 'acc/clip_top2': 1.0,
    'acc/video_top1_prob': 2 / 3, 'acc/video_top1_score': 1.0,
}


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _evaluate(samples, monkeypatch):
    logged = []
    monkeypatch.setattr(clip_video_acc, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    metric = METRICS.build(dict(type='ClipVideoAccMetric', topk=(1, 2)))
    metric.process(None, samples)
    return metric.evaluate(len(samples)), logged


def test_metric_matches_hand_computation(monkeypatch):
    samples = [dict(pred_score=torch.tensor(_softmax(v).mean(0)),
                    gt_label=torch.tensor([label]),
                    clip_scores=torch.tensor(v), average_clips='prob')
               for v, label in zip(LOGITS, LABELS)]
    results, logged = _evaluate(samples, monkeypatch)
    assert results == pytest.approx(EXPECTED)
    assert list(results)[0] == 'acc/top1'  # save_best='auto' picks it
    assert "average_clips='prob'" in logged[0] and 'softmax' in logged[0]


def test_metric_without_clip_scores_reports_video_accuracy(monkeypatch):
    samples = [dict(pred_score=torch.tensor(LOGITS[i].mean(0)),
                    gt_label=torch.tensor([LABELS[i]]))
               for i in range(3)]
    results, logged = _evaluate(samples, monkeypatch)
    assert results == pytest.approx(
        {'acc/top1': 1.0, 'acc/top2': 1.0, 'acc/mean1': 1.0})
    assert 'ClipScoresHook' in logged[0]


@pytest.mark.parametrize('averaging', ['prob', 'score'])
def test_hook_keeps_each_clip_of_a_real_head(averaging, monkeypatch):
    head = MODELS.build(dict(type='I3DHead', num_classes=3, in_channels=4,
                             average_clips=averaging))
    model = torch.nn.Module()
    model.cls_head = head
    runner = SimpleNamespace(model=model,
                             logger=MMLogger.get_current_instance())
    hook, second = ClipScoresHook(), ClipScoresHook()
    hook.before_test_epoch(runner)
    wrapped = head.predict_by_feat
    second.before_test_epoch(runner)  # a second instance does not rewrap
    assert head.predict_by_feat is wrapped

    scores = torch.tensor(LOGITS, dtype=torch.float32).reshape(6, 3)
    samples = head.predict_by_feat(
        scores, [ActionDataSample().set_gt_label(y) for y in LABELS])
    for sample, clips in zip(samples, LOGITS):
        np.testing.assert_allclose(sample.clip_scores.numpy(), clips)
        assert sample.average_clips == averaging
        video = _softmax(clips).mean(0) if averaging == 'prob' else \
            clips.mean(0)  # the head's own averaging, unchanged
        np.testing.assert_allclose(sample.pred_score.numpy(), video,
                                   rtol=1e-5)
    results, logged = _evaluate([s.to_dict() for s in samples], monkeypatch)
    video_top1 = EXPECTED[f'acc/video_top1_{averaging}']
    assert results == pytest.approx(dict(
        EXPECTED, **{'acc/top1': video_top1,
                     'acc/mean1': video_top1}))
    assert f"average_clips='{averaging}'" in logged[0]

    second.after_test_epoch(runner)  # not its wrapper: left in place
    assert 'predict_by_feat' in head.__dict__
    hook.after_test_epoch(runner)
    assert 'predict_by_feat' not in head.__dict__
    plain = head.predict_by_feat(scores, [ActionDataSample()
                                          for _ in LABELS])
    assert 'clip_scores' not in plain[0]

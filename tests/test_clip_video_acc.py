"""Clip and video accuracy of a multi-clip test, against a hand computation."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmaction.registry import METRICS, MODELS
from mmaction.structures import ActionDataSample

from mmauxskd.engine.hooks import ClipScoresHook
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


class _Recognizer(torch.nn.Module):
    """A recognizer's predict path: features -> ``cls_head.predict``."""

    def __init__(self, head):
        super().__init__()
        self.cls_head = head

    def forward(self, inputs, data_samples=None, mode='predict'):
        if mode == 'tensor':
            return self.cls_head(inputs)
        return self.cls_head.predict(inputs, data_samples)


@pytest.mark.parametrize('averaging', ['prob', 'score'])
def test_hook_keeps_each_clip_of_a_real_head(averaging, monkeypatch):
    # an I3DHead whose classifier is the identity: its raw scores are the
    # features, so every clip's scores are LOGITS
    head = MODELS.build(dict(type='I3DHead', num_classes=3, in_channels=3,
                             average_clips=averaging)).eval()
    with torch.no_grad():
        head.fc_cls.weight.copy_(torch.eye(3))
        head.fc_cls.bias.zero_()
    model = _Recognizer(head)
    runner = SimpleNamespace(model=model,
                             logger=MMLogger.get_current_instance())
    feats = torch.tensor(LOGITS, dtype=torch.float32).reshape(6, 3, 1, 1, 1)
    hook, second = ClipScoresHook(), ClipScoresHook()
    hook.before_test_epoch(runner)
    second.before_test_epoch(runner)  # a second instance is harmless
    hook.before_test_epoch(runner)  # and so is attaching twice
    assert len(head._forward_hooks) == len(model._forward_hooks) == 2
    assert 'predict_by_feat' not in head.__dict__  # nothing replaced

    with torch.no_grad():  # as in val/test_step
        samples = model(feats, [ActionDataSample().set_gt_label(y)
                                for y in LABELS])
    for sample, clips in zip(samples, LOGITS):
        np.testing.assert_allclose(sample.clip_scores.numpy(), clips,
                                   rtol=1e-6)
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
    assert model(feats, mode='tensor').shape == (6, 3)  # not a prediction

    second.after_test_epoch(runner)
    assert len(head._forward_hooks) == len(model._forward_hooks) == 1
    hook.after_test_epoch(runner)
    assert not head._forward_hooks and not model._forward_hooks
    plain = model(feats, [ActionDataSample() for _ in LABELS])
    assert 'clip_scores' not in plain[0]

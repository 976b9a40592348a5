"""Keep each clip's class scores of a multi-clip test next to the video's
prediction, for :class:`~mmauxskd.evaluation.ClipVideoAccMetric`."""
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...utils.model import unwrap_model

__all__ = ['ClipScoresHook']


@HOOKS.register_module()
class ClipScoresHook(Hook):
    """Add ``clip_scores`` to every prediction (val and test).

    A stock recognizer's head averages the clips of a video before the
    metric sees them. For the epoch this hook registers two PyTorch forward
    hooks (no method of the model is replaced): one on ``cls_head``, which
    keeps the head's raw output, ``(N * clips, classes)``; and one on the
    recognizer, which, when its ``predict`` returns the N data samples,
    stores each video's ``(clips, classes)`` block as ``clip_scores`` and
    the head's ``average_clips`` as metainfo. Both run inside the model's
    forward, so the samples carry them when the evaluator processes them.
    The head's own prediction is unchanged. Several instances are harmless
    (each writes the same scores).
    """

    priority = 'NORMAL'

    def __init__(self):
        self._handles = None
        self._scores = None

    def _attach(self, runner):
        model = unwrap_model(runner.model)
        head = getattr(model, 'cls_head', None)
        if head is None or not hasattr(head, 'average_clips'):
            runner.logger.warning('ClipScoresHook: the model has no '
                                  'cls_head with average_clips; clip '
                                  'accuracy is not available')
            return
        if self._handles is not None:
            return
        self._handles = (head.register_forward_hook(self._keep),
                         model.register_forward_hook(self._store))

    def _keep(self, head, args, cls_scores):
        self._scores = cls_scores.detach()

    def _store(self, model, args, samples):
        scores, self._scores = self._scores, None
        if scores is None or not isinstance(samples, list) or not samples \
                or scores.shape[0] % len(samples):
            return  # not a prediction (tensor or loss mode)
        clips = scores.reshape((len(samples), -1) + scores.shape[1:])
        for sample, block in zip(samples, clips):
            sample.set_field(block, 'clip_scores')
            sample.set_metainfo(
                dict(average_clips=model.cls_head.average_clips))

    def _detach(self, runner):
        if self._handles is None:
            return
        for handle in self._handles:
            handle.remove()
        self._handles = self._scores = None

    def before_val_epoch(self, runner):
        self._attach(runner)

    def before_test_epoch(self, runner):
        self._attach(runner)

    def after_val_epoch(self, runner, metrics=None):
        self._detach(runner)

    def after_test_epoch(self, runner, metrics=None):
        self._detach(runner)

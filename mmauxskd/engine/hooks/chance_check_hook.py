"""Say so when a pretext stage ends at chance on its own held-out task."""
import os.path as osp

from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...evaluation.chance import (Z, did_not_learn, did_not_learn_line,
                                  stage_findings)

__all__ = ['ChanceCheckHook']


@HOOKS.register_module()
class ChanceCheckHook(Hook):
    """At the end of training, judge the last validation's held-out tasks.

    Keeps the metrics of every validation (``after_val_epoch``); after
    training, reads the last ones with
    :func:`~mmauxskd.evaluation.stage_findings` (each pretext task's
    accuracy, the instance readout's top-1, against chance within ``z``
    binomial standard deviations over the held-out samples) and, when every
    judged task is at chance, logs one loud warning line with the figures
    (:func:`~mmauxskd.evaluation.did_not_learn_line`) and stores it in the
    message hub's info as ``did_not_learn``; when only some are, an
    ordinary line naming them. A run without such metrics (finetuning, no
    validation) says nothing. ``tools/train.py`` adds it to every run.

    Args:
        z (float): the margin in binomial standard deviations. Defaults to
            :data:`~mmauxskd.evaluation.chance.Z` (2).
    """

    priority = 'LOW'

    def __init__(self, z=Z):
        self.z = z
        self.metrics = None

    def after_val_epoch(self, runner, metrics=None):
        if metrics:
            self.metrics = dict(metrics)

    def after_train(self, runner):
        if not self.metrics:
            return
        findings = stage_findings(self.metrics, z=self.z)
        if not findings:
            return
        filename = getattr(runner.cfg, 'filename', None)
        name = osp.basename(filename) if filename else runner.experiment_name
        line = did_not_learn_line(name, findings)
        if line:
            runner.logger.warning(line)
            runner.message_hub.update_info('did_not_learn', line)
        elif not did_not_learn(findings) and any(
                f['at_chance'] for f in findings):
            runner.logger.info(
                'held-out tasks at chance: ' + ', '.join(
                    f'{f["task"]} {f["value"]:.3f} (needs > '
                    f'{f["needs"]:.3f})' for f in findings
                    if f['at_chance']) + '; the others left it')

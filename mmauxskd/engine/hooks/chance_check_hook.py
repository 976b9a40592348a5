"""Say so when a pretext stage ends at chance on its own held-out task."""
import os.path as osp

from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...evaluation.chance import Z, did_not_learn_line, stage_findings

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

    A stage with an instance readout is judged against its random
    initialisation too (``random_init``): the same readout of the config's
    untrained model with the run's seed
    (:func:`~mmauxskd.evaluation.instance_readout`, a few seconds on the
    demo), since top-1 alone barely leaves chance at the demo's scale
    (:mod:`mmauxskd.evaluation.chance`).

    Args:
        z (float): the margin in binomial standard deviations. Defaults to
            :data:`~mmauxskd.evaluation.chance.Z` (2).
        random_init (bool): measure the random initialisation's instance
            readout (the demo measures it itself, once per config and seed,
            and turns this off). Defaults to True.
    """

    priority = 'LOW'

    def __init__(self, z=Z, random_init=True):
        self.z = z
        self.random_init = random_init
        self.metrics = None

    def after_val_epoch(self, runner, metrics=None):
        if metrics:
            self.metrics = dict(metrics)

    def after_train(self, runner):
        if not self.metrics:
            return
        random = None
        if self.random_init and any(k.startswith('instance/')
                                    for k in self.metrics):
            random = self._random_readout(runner)
        findings = stage_findings(self.metrics, random=random, z=self.z)
        if not findings:
            return
        filename = getattr(runner.cfg, 'filename', None)
        name = osp.basename(filename) if filename else runner.experiment_name
        line = did_not_learn_line(name, findings, self.z)
        if line:
            runner.logger.warning(line)
            runner.message_hub.update_info('did_not_learn', line)
        elif any(f['at_chance'] for f in findings):
            runner.logger.info(
                'held-out tasks at chance: ' + ', '.join(
                    f'{f["task"]} {f["value"]:.3f} (needs > '
                    f'{f["needs"]:.3f})' for f in findings
                    if f['at_chance']) + '; the others left it')

    @staticmethod
    def _random_readout(runner):
        """The instance readout of the config's random initialisation, or
        None (with a warning) when it cannot be measured."""
        from ...evaluation.instance_retrieval import (instance_parts,
                                                      instance_readout)
        if instance_parts(runner.cfg)[1] is None:
            return None
        try:
            random = instance_readout(runner.cfg, runner.seed)
        except Exception as err:  # judged against chance alone then
            runner.logger.warning(f'ChanceCheckHook: no random-init instance '
                                  f'readout ({err!r}); judged against chance')
            return None
        runner.logger.info(
            'instance readout of the random initialisation: top-1 '
            f'{random["instance/top1"]:.4f}, cosine gap '
            f'{random["instance/cos_gap"]:.4f}')
        return random

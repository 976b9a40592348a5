"""A run's training progress, as a small JSON file another process polls."""
import json
import os
import time

from mmengine.hooks import Hook
from mmaction.registry import HOOKS


@HOOKS.register_module()
class ProgressFileHook(Hook):
    """Write ``{stage, iter, max_iters, time}`` to ``path`` while training.

    The file is replaced atomically (written beside it, then renamed), at
    the start and end of training and at most every ``interval`` seconds in
    between, so a reader never sees half a file. ``tools/run_demo.py`` adds
    it to each stage of a job and reads the file for its progress lines.

    Args:
        path (str, optional): the JSON file; ``None`` writes nothing.
        stage (str): a label written with the counts (e.g. the stage name).
        interval (float): least seconds between two writes while training.
    """

    priority = 'LOWEST'

    def __init__(self, path=None, stage='', interval=2.0):
        self.path, self.stage, self.interval = path, stage, interval
        self.last = 0.0

    def _write(self, runner, force=False):
        now = time.time()
        if not self.path or (not force and now - self.last < self.interval):
            return
        self.last = now
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(dict(stage=self.stage, iter=runner.iter,
                           max_iters=runner.max_iters, time=now), f)
        os.replace(tmp, self.path)

    def before_train(self, runner):
        self._write(runner, force=True)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self._write(runner)

    def after_train(self, runner):
        self._write(runner, force=True)

"""Report the broken videos that the robust datasets skipped, and the
videos too short for their pretext sampler (skipped or kept)."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...datasets.robust import read_bad_samples, robust_datasets
from .resume_point import checkpoint_position, resumed_from


@HOOKS.register_module()
class BrokenVideoReportHook(Hook):
    """Collect skipped training samples in ``work_dir/broken_samples.jsonl``,
    and the short videos kept with their clips looping (records with
    ``"skipped": false``; reason ``too short: N frames, needs M``).

    Before training it empties the file (unless training resumes from a
    checkpoint: the file then lists what the earlier part skipped) and
    points every robust training dataset at it (the dataloader workers are
    started later, so they inherit it); after each epoch and at the end of
    training the main process logs how many distinct files were skipped and
    stores the counts in the message hub as ``train/broken_samples``
    (skipped) and ``train/short_videos_kept``.

    Args:
        filename (str): file name inside ``work_dir``.
    """

    priority = 'LOW'

    def __init__(self, filename='broken_samples.jsonl'):
        self.filename = filename
        self.path = None
        self._reported = 0
        self._loaded = None  # (epoch, iter) of a loaded checkpoint

    def after_load_checkpoint(self, runner, checkpoint):
        self._loaded = checkpoint_position(checkpoint)

    def before_train(self, runner):
        self.path = osp.join(runner.work_dir, self.filename)
        if is_main_process() and osp.exists(self.path) and \
                not resumed_from(runner, self._loaded):
            os.remove(self.path)
        for dataset in robust_datasets(runner.train_dataloader.dataset):
            dataset.bad_sample_file = self.path

    def _report(self, runner, final=False):
        bad = read_bad_samples(self.path, skipped=True)
        kept = read_bad_samples(self.path, skipped=False)
        runner.message_hub.update_info('train/broken_samples', len(bad))
        runner.message_hub.update_info('train/short_videos_kept', len(kept))
        count = len(bad) + len(kept)
        if is_main_process() and (count != self._reported or final):
            if bad:
                runner.logger.warning(
                    f'{len(bad)} broken training sample(s) skipped so far, '
                    f'listed in {self.path}')
            if kept:
                runner.logger.warning(
                    f'{len(kept)} training video(s) shorter than the '
                    'sampler\'s span kept, their clips looping, listed in '
                    f'{self.path}')
            if not count and final:
                runner.logger.info('no broken training samples')
            self._reported = count

    def after_train_epoch(self, runner):
        self._report(runner)

    def after_train(self, runner):
        self._report(runner, final=True)

"""CheckpointHook whose saves survive a kill at any point."""
import os
import os.path as osp
import re

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmaction.registry import HOOKS

__all__ = ['AtomicCheckpointHook', 'fsync_dir', 'write_atomically']

TMP_SUFFIX = '.part'


def fsync_dir(folder):
    """Make the entries of ``folder`` (a rename, a new file) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_name(filename):
    """A hidden temporary name beside ``filename``, unique to this process."""
    return f'.{filename}.{os.getpid()}{TMP_SUFFIX}'


def write_atomically(path, text):
    """Replace the text file ``path`` whole: a reader (or a kill) sees the
    old content or the new, never a mix or an empty file."""
    folder, name = osp.split(osp.abspath(path))
    tmp = osp.join(folder, _tmp_name(name))
    try:
        with open(tmp, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    fsync_dir(folder)


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments, same files) with saves
    that a kill or a full disk cannot turn into a lost run.

    mmengine deletes the checkpoint beyond ``max_keep_ckpts`` *before*
    writing the new one, writes in place, and never fsyncs: killed in
    between, a ``max_keep_ckpts=1`` run holds no checkpoint and
    ``last_checkpoint`` names a deleted file; a full disk leaves a truncated
    ``epoch_N.pth`` under its final name. Here each save

    1. writes the checkpoint to a hidden temporary name in the same folder
       (``runner.save_checkpoint(..., filename=...)``), fsyncs it, renames
       it into place (``os.replace``) and fsyncs the folder;
    2. writes ``last_checkpoint`` the same way;
    3. only then removes the checkpoints beyond ``max_keep_ckpts``.

    A kill at any point leaves the previous checkpoint or the new one, whole,
    and ``last_checkpoint`` naming a whole file. A failed write (``OSError``
    such as ENOSPC) removes its temporary file and raises; the previous
    checkpoint stays. Before training, temporary files of killed saves are
    removed, and so are checkpoints a killed run had left for removal (older
    than the newest kept one, not in its keep list).

    Only the periodic/last checkpoints (what ``--resume`` needs) are written
    this way, and only to local folders: ``best_*`` checkpoints and an
    ``out_dir`` on another file backend (``backend_args``,
    ``file_client_args``) keep mmengine's way of saving.
    """

    def before_train(self, runner):
        super().before_train(runner)
        if self._atomic() and is_main_process():
            self._clean_leftovers(runner)

    def _atomic(self):
        return (self.file_client_args is None
                and isinstance(self.file_backend, LocalBackend))

    def _clean_leftovers(self, runner):
        """Temporary files of killed saves; checkpoints that a save killed
        before its removals should have removed."""
        number = re.escape(self.filename_tmpl).replace(r'\{\}', r'(\d+)')
        temporary = re.compile(
            rf'^\.({number}|last_checkpoint)\.\d+{re.escape(TMP_SUFFIX)}$')
        for folder in {self.out_dir, runner.work_dir}:
            if osp.isdir(folder):
                for name in os.listdir(folder):
                    if temporary.match(name):
                        _remove_quietly(osp.join(folder, name))
        kept = list(getattr(self, 'keep_ckpt_ids', []))
        if self.max_keep_ckpts <= 0 or not kept or not osp.isfile(
                osp.join(self.out_dir, self.filename_tmpl.format(kept[-1]))):
            return
        checkpoint = re.compile(f'^{number}$')
        for name in os.listdir(self.out_dir):
            match = checkpoint.match(name)
            if match and int(match.group(1)) < kept[-1] and \
                    int(match.group(1)) not in kept:
                os.remove(osp.join(self.out_dir, name))
                runner.logger.info(
                    f'removed {name}, beyond max_keep_ckpts='
                    f'{self.max_keep_ckpts} (a killed save left it)')

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._atomic():
            return super()._save_checkpoint_with_step(runner, step, meta)
        # the bookkeeping first, as mmengine does, so that the checkpoint
        # holds its own keep list; the files go only after the new one is in
        stale = []
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                stale.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        filename = self.filename_tmpl.format(step)
        final = osp.join(self.out_dir, filename)
        tmp = osp.join(self.out_dir, _tmp_name(filename))
        self.last_ckpt = final
        runner.message_hub.update_info('last_ckpt', final)
        try:
            runner.save_checkpoint(
                self.out_dir,
                filename=osp.basename(tmp),
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args)
            if not is_main_process():  # the main process writes the file
                return
            with open(tmp, 'rb') as f:
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            _remove_quietly(tmp)
            raise
        fsync_dir(self.out_dir)
        write_atomically(osp.join(runner.work_dir, 'last_checkpoint'), final)

        for old in stale:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if path == final:
                continue
            if osp.isfile(path):
                os.remove(path)
            elif osp.isdir(path):
                self.file_backend.rmtree(path)

"""MMAction2 video and raw-frame datasets that survive broken files.

Training: a sample whose file is missing, empty, truncated or not a video
makes ``prepare_data`` return ``None``; mmengine's ``BaseDataset`` then draws
another index (up to ``max_refetch`` times). Each bad file is logged once
with its path and reason and, when :class:`BrokenVideoReportHook` has set
``bad_sample_file``, appended to that JSON-lines file so the hook can report
the count across dataloader workers and ranks.

Test (``test_mode=True``): a broken file raises :class:`BrokenVideoError`
naming it, so it is never silently left out of a metric.

Missing data (annotation file or data prefix) fails at build time with the
path and ``prepare_hint``: the command or docs section that prepares it.
"""
import json
import os
import os.path as osp

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

DEFAULT_HINT = 'see docs/data_preparation.md'


class BrokenVideoError(RuntimeError):
    """A test-time sample could not be read."""


class RobustDatasetMixin:
    """Broken-file handling shared by the video and raw-frame datasets."""

    #: key of ``data_prefix`` that holds the media root
    prefix_key = 'video'
    #: key of a data info that names the media (file or frame folder)
    path_key = 'filename'

    def __init__(self, *args, prepare_hint=DEFAULT_HINT, max_refetch=100,
                 **kwargs):
        self.prepare_hint = prepare_hint
        self.bad_sample_file = None
        self._logged_bad = set()
        super().__init__(*args, max_refetch=max_refetch, **kwargs)

    def load_data_list(self):
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'annotation file {self.ann_file} does not exist; prepare it:'
                f' {self.prepare_hint}')
        root = self.data_prefix.get(self.prefix_key, '')
        if root and not osp.isdir(root):
            raise FileNotFoundError(
                f'data root {root} (data_prefix.{self.prefix_key}) does not '
                f'exist; prepare it: {self.prepare_hint}')
        return super().load_data_list()

    def __getitem__(self, idx):
        try:
            return super().__getitem__(idx)
        except BrokenVideoError:
            raise
        except Exception as err:
            if not self._logged_bad or 'Cannot find valid' not in str(err):
                raise
            raise RuntimeError(
                f'{len(self._logged_bad)} distinct samples failed in a row '
                f'({self.max_refetch + 1} draws); the last: '
                f'{self._last_bad}. Check the data paths and the pipeline.'
            ) from err

    def prepare_data(self, idx):
        try:
            return super().prepare_data(idx)
        except Exception as err:  # decoders raise many types
            path = self.get_data_info(idx).get(self.path_key)
            reason = f'{type(err).__name__}: {err}'.strip()
            if self.test_mode:
                raise BrokenVideoError(
                    f'cannot read {path} at test time ({reason}); fix or '
                    'remove it from the list (tools/data/check_integrity.py '
                    'writes a cleaned list)') from err
            self._report_bad(path, reason)
            return None

    def _report_bad(self, path, reason):
        self._last_bad = f'{path} ({reason})'
        if path in self._logged_bad:
            return
        self._logged_bad.add(path)
        if self.bad_sample_file and path in read_bad_samples(
                self.bad_sample_file):
            return  # another worker or rank has logged it
        print_log(
            f'skipping broken sample {path} ({reason}); another sample is '
            'drawn in its place', logger='current', level=30)
        if self.bad_sample_file:
            line = json.dumps(dict(path=path, reason=reason)) + '\n'
            # O_APPEND writes of one short line are atomic across processes
            fd = os.open(self.bad_sample_file,
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)


def read_bad_samples(filename):
    """{path: reason} from a bad-sample JSON-lines file (empty if none)."""
    bad = {}
    if filename and osp.isfile(filename):
        with open(filename) as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    bad.setdefault(rec['path'], rec['reason'])
    return bad


@DATASETS.register_module()
class RobustVideoDataset(RobustDatasetMixin, VideoDataset):
    """``VideoDataset`` (list lines ``path label``) robust to broken files.

    Extra args:
        prepare_hint (str): how to prepare a missing dataset, shown in the
            error. Defaults to the data preparation docs.
        max_refetch (int): draws before giving up on a run of bad samples.
    """


@DATASETS.register_module()
class RobustRawframeDataset(RobustDatasetMixin, RawframeDataset):
    """``RawframeDataset`` (lines ``dir total_frames label``), robust."""

    prefix_key = 'img'
    path_key = 'frame_dir'

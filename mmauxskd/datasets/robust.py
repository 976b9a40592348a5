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
path and ``prepare_hint``: the command or docs section that prepares it. So
does a malformed list (:func:`list_line_problem`): every bad line is named
by file and line number in one :class:`ListFormatError`, before MMAction2
would read a missing label as -1 (and crash at the first batch holding it)
or stop at the first extra column or non-UTF-8 byte without naming the
line. Whether a list must carry labels follows from the dataset's use
(``labelled``): yes unless its pipeline makes its own targets (a pretext
sampler, a multi-view transform), as the unlabelled pretext lists do.

Videos shorter than a pretext sampler's span are reported too (reason
``too short: N frames, needs M``): skipped like broken ones where the
sampler says the label would be meaningless (VSPP's pace and segment),
otherwise kept, with the report (see :class:`ShortVideoError`).
"""
import contextvars
import json
import os
import os.path as osp
import warnings

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .transforms.video_readers import check_decord

DEFAULT_HINT = 'see docs/data_preparation.md'
#: malformed lines a :class:`ListFormatError` quotes (the rest are counted)
MAX_LISTED = 10


class BrokenVideoError(RuntimeError):
    """A test-time sample could not be read."""


class ListFormatError(ValueError):
    """An annotation list has malformed lines (or none at all)."""


class ShortVideoError(ValueError):
    """A video is too short for a sampler whose labels it would make
    meaningless: a robust dataset skips it as a broken sample (and names
    it at test time).

    Args:
        reason (str): ``too short: N frames, needs M``.
        why (str): what the sampler would get wrong.
    """

    def __init__(self, reason, why=''):
        super().__init__(reason)
        self.reason = reason
        self.why = why


# the dataset preparing the current sample, for report_kept_sample
_preparing = contextvars.ContextVar('mmauxskd_preparing', default=None)


def report_kept_sample(path, reason, why=''):
    """Report a sample that is used despite a problem (a video shorter than
    its sampler's span: its clips loop). Inside a robust dataset's
    ``prepare_data`` the dataset logs it once and, in training, lists it
    in ``broken_samples.jsonl`` as kept; elsewhere it is a warning."""
    dataset = _preparing.get()
    if dataset is None:
        warnings.warn(f'{path}: {reason}, kept ({why})' if why else
                      f'{path}: {reason}, kept')
    else:
        dataset._report(path, reason, skipped=False, why=why)


def read_list_lines(path):
    """``(line number, text, problem)`` of every line of a list file.

    Lines split as MMAction2's ``list_from_file`` splits them (on ``\\n``,
    ``\\r`` stripped). ``problem`` is None, or says where a line is not
    UTF-8 (its text then has the bad bytes replaced).
    """
    with open(path, 'rb') as f:
        raw = f.read().split(b'\n')
    if raw and raw[-1] == b'':
        raw.pop()  # the newline ending the last line
    lines = []
    for number, data in enumerate(raw, 1):
        data = data.rstrip(b'\r')
        try:
            lines.append((number, data.decode('utf-8'), None))
        except UnicodeDecodeError as err:
            lines.append((number, data.decode('utf-8', 'replace'),
                          f'not UTF-8: byte {data[err.start:err.start + 1]!r}'
                          f' at column {err.start + 1}'))
    return lines


def list_line_problem(line, kind='videos', labelled=True, multi_class=False,
                      with_offset=False, delimiter=' '):
    """What is wrong with one annotation list line, or None.

    Args:
        line (str): the line, without its newline.
        kind (str): ``'videos'`` (``path label``, fields split on
            ``delimiter`` as ``VideoDataset`` does) or ``'rawframes'``
            (``dir [offset] frames label``, split on white space).
        labelled (bool): the label is required and must be >= 0; otherwise
            it may be left out (MMAction2 reads -1) or be any integer.
        multi_class (bool): several labels per line.
        with_offset (bool): raw frames: an offset before the frame count.
        delimiter (str): the video list's field separator.
    """
    if not line.strip():
        return 'empty line'
    fields = (line.strip().split(delimiter) if kind == 'videos' else
              line.split())
    if '' in fields:
        return f'fields separated by more than one {delimiter!r}'
    numbers = []  # (what, value) of the integer fields
    if kind == 'rawframes':
        counts = ['offset', 'frame count'] if with_offset else ['frame count']
        form = ' '.join(['<dir>'] + [f'<{c}>' for c in counts] + ['<label>'])
        if len(fields) < 1 + len(counts):
            return f'{len(fields)} field(s), expected {form!r}'
        numbers += list(zip(counts, fields[1:1 + len(counts)]))
        labels = fields[1 + len(counts):]
    else:
        form = '<path> <label>'
        labels = fields[1:]
    if multi_class:
        form = form.replace('<label>', '<label> [<label> ...]')
    elif len(labels) > 1:
        return (f'{len(fields)} fields, expected {form!r}: extra column '
                f'{" ".join(labels[1:])!r}')
    if not labels and labelled:
        return f'no label (a labelled list: {form!r})'
    numbers += [('label', v) for v in labels]
    for what, value in numbers:
        try:
            number = int(value)
        except ValueError:
            return f'{what} {value!r} is not an integer'
        if number < 0 and (what != 'label' or labelled):
            return (f'{what} {number} is negative' +
                    (' (a labelled list needs class indices >= 0)'
                     if what == 'label' else ''))
    return None


def check_list_file(path, kind='videos', labelled=True, **fmt):
    """``(line number, text, problem)`` of every malformed line of a list
    (:func:`read_list_lines`, :func:`list_line_problem` with ``fmt``), and
    the number of lines."""
    lines = read_list_lines(path)
    bad = [(n, text, problem or list_line_problem(text, kind, labelled,
                                                  **fmt))
           for n, text, problem in lines]
    return [b for b in bad if b[2]], len(lines)


def list_format_error(path, problems, total, why=''):
    """A :class:`ListFormatError` quoting up to :data:`MAX_LISTED` of
    ``problems`` (from :func:`check_list_file`) and counting the rest."""
    shown = [f'  line {n}: {text.strip()[:120]!r}: {problem}'
             for n, text, problem in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        shown.append(f'  ... and {len(problems) - MAX_LISTED} more')
    return ListFormatError(
        f'annotation file {path}: {len(problems)} malformed line(s) of '
        f'{total}{why}:\n' + '\n'.join(shown) + '\nFix them, or write a list '
        'without them: python tools/data/check_integrity.py LIST ROOT --out '
        'CLEAN_LIST')


def makes_own_targets(transforms):
    """Whether a pipeline (built transforms) makes its training targets
    itself, so that its list's labels are never read: a transform with a
    true ``makes_own_targets`` attribute (the pretext samplers, the
    multi-view transforms), also inside a wrapper's ``transforms`` or
    ``sampler``."""
    for t in transforms:
        if getattr(t, 'makes_own_targets', False):
            return True
        inner = getattr(t, 'transforms', None)
        inner = getattr(inner, 'transforms', inner)  # a Compose
        if isinstance(inner, (list, tuple)) and makes_own_targets(inner):
            return True
        sampler = getattr(t, 'sampler', None)
        if sampler is not None and makes_own_targets([sampler]):
            return True
    return False


class RobustDatasetMixin:
    """Broken-file handling shared by the video and raw-frame datasets."""

    #: key of ``data_prefix`` that holds the media root
    prefix_key = 'video'
    #: key of a data info that names the media (file or frame folder)
    path_key = 'filename'
    #: list format for :func:`list_line_problem`
    list_kind = 'videos'

    def __init__(self, *args, prepare_hint=DEFAULT_HINT, max_refetch=100,
                 labelled=None, **kwargs):
        # a decord pipeline without decord (optional) fails here, in one
        # line saying how to install it, not in a dataloader worker
        check_decord(kwargs.get('pipeline'), f'{type(self).__name__} pipeline')
        self.prepare_hint = prepare_hint
        self._labelled = labelled
        self.bad_sample_file = None
        self._logged_bad = set()
        self._logged_kept = set()
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
        self.check_list()
        return super().load_data_list()

    @property
    def labelled(self):
        """Whether the list must give every line a label >= 0: the
        ``labelled`` argument, by default True unless the pipeline makes
        its own targets (:func:`makes_own_targets`: pretext training and
        held-out pretext evaluation read unlabelled lists)."""
        if self._labelled is not None:
            return bool(self._labelled)
        return not makes_own_targets(self.pipeline.transforms)

    def list_format(self):
        """The arguments of :func:`list_line_problem` for this dataset."""
        fmt = dict(multi_class=self.multi_class)
        if self.list_kind == 'videos':
            fmt['delimiter'] = self.delimiter
        else:
            fmt['with_offset'] = self.with_offset
        return fmt

    def check_list(self):
        """Raise :class:`ListFormatError` naming every malformed line of
        ``ann_file`` (up to :data:`MAX_LISTED`, then a count), or saying
        that it has no line."""
        labelled = self.labelled
        problems, total = check_list_file(self.ann_file, self.list_kind,
                                          labelled, **self.list_format())
        if not total:
            raise ListFormatError(
                f'annotation file {self.ann_file} is empty: no video to '
                f'{"test" if self.test_mode else "train"} on; prepare it: '
                f'{self.prepare_hint}')
        if problems:
            why = (' (a labelled list: this dataset\'s pipeline reads its '
                   'labels; labelled=False for a list without them)'
                   if labelled else '')
            raise list_format_error(self.ann_file, problems, total, why)

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
        token = _preparing.set(self)
        try:
            return super().prepare_data(idx)
        except Exception as err:  # decoders raise many types
            path = self.get_data_info(idx).get(self.path_key)
            short = isinstance(err, ShortVideoError)
            reason = err.reason if short else \
                f'{type(err).__name__}: {err}'.strip()
            if self.test_mode:
                if short:
                    raise BrokenVideoError(
                        f'{path} is {reason} at test time ({err.why}); '
                        'remove it from the list (tools/data/'
                        'check_integrity.py --min-frames writes a cleaned '
                        'list)') from err
                raise BrokenVideoError(
                    f'cannot read {path} at test time ({reason}); fix or '
                    'remove it from the list (tools/data/check_integrity.py '
                    'writes a cleaned list)') from err
            self._report(path, reason, why=err.why if short else '')
            return None
        finally:
            _preparing.reset(token)

    def _report(self, path, reason, skipped=True, why=''):
        """Log a bad sample once and list it in ``bad_sample_file``:
        ``skipped`` (another sample is drawn) or kept despite ``reason``."""
        if skipped:
            self._last_bad = f'{path} ({reason})'
        logged = self._logged_bad if skipped else self._logged_kept
        if path in logged:
            return
        logged.add(path)
        if self.bad_sample_file and path in read_bad_samples(
                self.bad_sample_file, skipped):
            return  # another worker or rank has logged it
        detail = f'{reason}; {why}' if why else reason
        if skipped:
            kind = 'short video' if reason.startswith('too short') else \
                'broken sample'
            print_log(
                f'skipping {kind} {path} ({detail}); another sample is '
                'drawn in its place', logger='current', level=30)
        else:
            print_log(f'keeping short video {path} ({detail})',
                      logger='current', level=30)
        if self.bad_sample_file:
            line = json.dumps(dict(path=path, reason=reason,
                                   skipped=skipped)) + '\n'
            # O_APPEND writes of one short line are atomic across processes
            fd = os.open(self.bad_sample_file,
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)


def read_bad_samples(filename, skipped=None):
    """{path: reason} from a bad-sample JSON-lines file (empty if none):
    every sample, or with ``skipped`` True / False only those skipped /
    kept (short videos whose clips loop)."""
    bad = {}
    if filename and osp.isfile(filename):
        with open(filename) as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    if skipped is None or rec.get('skipped', True) == skipped:
                        bad.setdefault(rec['path'], rec['reason'])
    return bad


@DATASETS.register_module()
class RobustVideoDataset(RobustDatasetMixin, VideoDataset):
    """``VideoDataset`` (list lines ``path label``) robust to broken files.

    Extra args:
        prepare_hint (str): how to prepare a missing dataset, shown in the
            error. Defaults to the data preparation docs.
        max_refetch (int): draws before giving up on a run of bad samples.
        labelled (bool, optional): whether every list line must carry a
            label >= 0. Defaults to True unless the pipeline makes its own
            targets (a pretext pipeline).
    """


@DATASETS.register_module()
class RobustRawframeDataset(RobustDatasetMixin, RawframeDataset):
    """``RawframeDataset`` (lines ``dir total_frames label``), robust."""

    prefix_key = 'img'
    path_key = 'frame_dir'
    list_kind = 'rawframes'

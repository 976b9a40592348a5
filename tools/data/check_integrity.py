"""Open every file of an MMAction2 list; report the broken ones, clean it.

Videos (lines ``path label``) are opened with PyAV (``--decoder decord``:
decord, optional), which must find at least one frame and decode the
first, a middle and the last frame; an MP4 whose index lists more frames
than the file holds is reported as truncated. Raw-frame folders (lines
``dir frames label``) are counted (consecutive ``img_00001.jpg``, ...) and
compared with the list; the first and the last frame are read with OpenCV.

Problems reported: malformed lines, by line number, as the datasets
report them at build time (``mmauxskd.datasets.robust.list_line_problem``:
a missing label in a labelled list, an extra column, a label or frame
count that is not an integer, bytes that are not UTF-8, empty lines);
missing file or folder, empty file, unreadable (not a video, corrupt or
truncated), fewer than ``--min-frames`` frames, and for raw frames a count
that differs from the list. ``--labels auto`` requires labels when any line
has a label >= 0 (an unlabelled pretext list has none, or -1 throughout).
``--out`` writes a cleaned list: the readable entries long enough,
raw-frame counts set to those on disk. ``--report`` writes ``<line> <TAB> <reason>`` for each problem.

Exit status: 0 when every entry is fine or a cleaned list was written,
1 otherwise. Example::

    python tools/data/check_integrity.py \\
        data/ucf101/ucf101_train_split_1_videos.txt data/ucf101/videos \\
        --min-frames 16 --out data/ucf101/ucf101_train_split_1_videos.clean.txt
"""
import os
import os.path as osp
import sys

import cv2

from prep_common import (FRAME_TMPL, add_decoder_arg, check_decoder,
                         count_frames, doc_parser, open_video, parallel_map,
                         write_list)
from mmauxskd.datasets.robust import list_line_problem, read_list_lines


def check_video(path, min_frames, decoder='pyav'):
    """``(frames, problem or None, fixable)`` for a video file."""
    if not osp.isfile(path):
        return 0, 'missing', False
    if osp.getsize(path) == 0:
        return 0, 'empty file', False
    try:
        reader = open_video(path, decoder)
    except Exception as err:  # decoders raise their own types
        return 0, f'unreadable: {_short(err)}', False
    try:
        return _check_reader(reader, min_frames)
    finally:
        reader.close()


def _check_reader(reader, min_frames):
    total = len(reader)
    if total == 0:
        return 0, 'unreadable: no frames', False
    declared = getattr(reader, 'declared_frames', None)
    if declared and declared > total:
        return total, (f'unreadable: truncated: {total} of the {declared} '
                       'frames its index lists are in the file'), False
    for i in sorted({0, total // 2, total - 1}):
        try:
            reader.get_frames([i])
        except Exception as err:
            return total, (f'unreadable: frame {i + 1} of {total} cannot be '
                           f'decoded (truncated or corrupt): {_short(err)}'
                           ), False
    if total < min_frames:
        return total, f'too short: {total} frames < {min_frames}', False
    return total, None, False


def check_frames(folder, listed, min_frames, tmpl=FRAME_TMPL):
    """``(frames on disk, problem or None, fixable)`` for a frame folder."""
    if not osp.isdir(folder):
        return 0, 'missing', False
    total = count_frames(folder, tmpl)
    if total == 0:
        return 0, f'no frames ({tmpl.format(1)})', False
    for i in sorted({1, total}):
        if cv2.imread(osp.join(folder, tmpl.format(i))) is None:
            return total, f'unreadable: {tmpl.format(i)}', False
    if total < min_frames:
        return total, f'too short: {total} frames < {min_frames}', False
    if listed is not None and total != listed:
        return total, (f'frame count: {total} on disk, the list says '
                       f'{listed}'), True
    return total, None, False


def _short(err):
    text = f'{type(err).__name__}: {err}'.strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def check_line(task):
    """``(line, frames, problem, fixable)`` for one list line."""
    line, root, kind, min_frames, tmpl, decoder = task
    parts = line.split()
    path = osp.join(root, parts[0])
    if kind == 'rawframes':
        try:
            listed = int(parts[1])
        except (IndexError, ValueError):
            listed = None
        return (line, ) + check_frames(path, listed, min_frames, tmpl)
    return (line, ) + check_video(path, min_frames, decoder)


def detect_kind(lines):
    """``rawframes`` when lines have 3+ fields (``dir frames label``)."""
    if not lines:
        return 'videos'
    return 'rawframes' if len(lines[0].split()) >= 3 else 'videos'


def has_labels(lines, kind):
    """Whether any line has a label >= 0 (``--labels auto``)."""
    at = 2 if kind == 'rawframes' else 1
    for line in lines:
        parts = line.split()
        if len(parts) > at and parts[at].isdigit():
            return True
    return False


def cleaned_line(line, frames, kind):
    if kind != 'rawframes':
        return line
    parts = line.split()
    return ' '.join([parts[0], str(frames)] + parts[2:])


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument('list', help='MMAction2 annotation list')
    parser.add_argument('root', help='video root or frame root of the list')
    parser.add_argument('--type', choices=['auto', 'videos', 'rawframes'],
                        default='auto', help='list type (auto: 2 fields are '
                        'videos, 3 raw frames)')
    parser.add_argument('--labels', choices=['auto', 'required', 'optional'],
                        default='auto', help='whether every line needs a '
                        'label >= 0 (auto: when any line has one)')
    parser.add_argument('--min-frames', type=int, default=16,
                        help='entries with fewer frames are too short')
    parser.add_argument('--out', help='write the cleaned list here')
    parser.add_argument('--report', help='write the problems here')
    parser.add_argument('--filename-tmpl', default=FRAME_TMPL)
    parser.add_argument('--workers', type=int,
                        default=min(8, os.cpu_count() or 1))
    add_decoder_arg(parser)
    args = parser.parse_args(argv)
    check_decoder(parser, args.decoder)
    return args


def main(argv=None):
    args = parse_args(argv)
    entries = read_list_lines(args.list)
    lines = [text.strip() for _, text, _ in entries]
    kind = detect_kind([x for x in lines if x]) if args.type == 'auto' \
        else args.type
    labelled = (has_labels(lines, kind) if args.labels == 'auto' else
                args.labels == 'required')
    print(f'checking {len(lines)} {kind} entries of {args.list}'
          f' ({"labelled" if labelled else "labels optional"})')
    malformed = [(n, text, problem or list_line_problem(text, kind, labelled))
                 for n, text, problem in entries]
    malformed = [m for m in malformed if m[2]]
    for n, text, problem in malformed:
        print(f'  line {n}: {text.strip()!r}: {problem}')
    bad_lines = {n for n, _, _ in malformed}
    tasks = [(line, args.root, kind, args.min_frames, args.filename_tmpl,
              args.decoder) for n, line in enumerate(lines, 1)
             if n not in bad_lines]
    results = parallel_map(check_line, tasks, args.workers,
                           not args.no_progress, maxtasksperchild=200)
    problems = [(line, problem) for line, _, problem, _ in results if problem]
    kept = [cleaned_line(line, frames, kind)
            for line, frames, problem, fixable in results
            if not problem or fixable]
    for line, problem in problems:
        print(f'  {line.split()[0]}: {problem}')
    dropped = len(lines) - len(kept)
    problems = [(text.strip(), f'line {n}: {p}')
                for n, text, p in malformed] + problems
    print(f'{len(lines)} entries: {len(lines) - len(problems)} fine, '
          f'{len(problems) - dropped} fixed, {dropped} unusable'
          f' ({len(malformed)} malformed)')
    if args.report:
        write_list(args.report, [f'{line}\t{p}' for line, p in problems])
    if args.out:
        write_list(args.out, kept)
    return 0 if not problems or args.out else 1


if __name__ == '__main__':
    sys.exit(main())

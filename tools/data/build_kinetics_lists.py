"""Kinetics-400 official CSVs + a local copy -> MMAction2 lists.

The CSVs (``train.csv``, ``validate.csv``, ``test.csv`` of the Kinetics
release) have the columns ``label,youtube_id,time_start,time_end,split``.
A clip is the file ``{youtube_id}_{time_start:06d}_{time_end:06d}.<ext>``
anywhere below ``--video-root``: in class folders (``<class>/<clip>.mp4``,
``train/<class>/<clip>.mp4``, ...) or flat (``<clip>.mp4``); clips the copy
lacks are reported and left out. Classes are numbered in alphabetical order
of the CSV labels (MMAction2's ``label_map_k400.txt`` order).

Writes, in ``--out-dir``, for each split found in the CSVs' ``split`` column::

    {prefix}_{train,val,test}_list_videos.txt     path label
    {prefix}_{train,val,test}_list_rawframes.txt  dir frames label
                                                  (with --frame-root)
    {prefix}_label_map.txt                        class names, label order
    {prefix}_missing.txt                          clips the copy lacks

Test rows without a label get label -1. Example::

    python tools/data/build_kinetics_lists.py \\
        --csv kinetics400/train.csv kinetics400/validate.csv \\
        --video-root data/kinetics400/videos --out-dir data/kinetics400
"""
import csv
import os.path as osp

from prep_common import (VideoFinder, build_lists, doc_parser, write_list,
                         write_split)

SPLIT_NAMES = dict(train='train', val='val', validate='val', valid='val',
                   test='test')


def clip_name(youtube_id, start, end):
    """Official clip file stem: ``{id}_{start:06d}_{end:06d}``."""
    return f'{youtube_id}_{int(float(start)):06d}_{int(float(end)):06d}'


def read_csvs(paths):
    """``{split: [(class name or None, clip stem)]}`` from the CSVs.

    The split is the ``split`` column, or the file name when it is absent.
    """
    splits = {}
    for path in paths:
        default = osp.splitext(osp.basename(path))[0].lower()
        with open(path, newline='', encoding='utf-8') as f:
            reader = csv.DictReader(f)
            need = {'youtube_id', 'time_start', 'time_end'}
            if not need <= set(reader.fieldnames or ()):
                raise ValueError(f'{path}: needs the columns {sorted(need)}, '
                                 f'has {reader.fieldnames}')
            for row in reader:
                split = (row.get('split') or default).strip().lower()
                split = SPLIT_NAMES.get(split, split)
                label = (row.get('label') or '').strip() or None
                splits.setdefault(split, []).append(
                    (label, clip_name(row['youtube_id'], row['time_start'],
                                      row['time_end'])))
    return splits


def class_folder(name):
    """Folder name of a class: spaces become underscores."""
    return name.replace(' ', '_')


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument('--csv', nargs='+', required=True,
                        help='official annotation CSV file(s)')
    parser.add_argument('--video-root', required=True,
                        help='the local copy of the videos')
    parser.add_argument('--frame-root', help='the extracted frames')
    parser.add_argument('--out-dir', default='data/kinetics400')
    parser.add_argument('--prefix', default='kinetics400')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    splits = read_csvs(args.csv)
    classes = sorted({c for rows in splits.values() for c, _ in rows if c})
    labels = {c: i for i, c in enumerate(classes)}
    print(f'{len(classes)} classes; clips per split: ' + ', '.join(
        f'{s} {len(rows)}' for s, rows in splits.items()))
    finder = VideoFinder(args.video_root)
    print(f'{sum(map(len, finder.index.values()))} videos in '
          f'{args.video_root}')
    missing = []
    for split, rows in splits.items():
        entries = [(f'{class_folder(c)}/{stem}.mp4' if c else f'{stem}.mp4',
                    labels.get(c, -1)) for c, stem in rows]
        result = build_lists(entries, finder, args.frame_root,
                             not args.no_progress)
        write_split(args.out_dir, f'{args.prefix}_{split}_list', result,
                    missing)
    write_list(osp.join(args.out_dir, f'{args.prefix}_label_map.txt'),
               classes)
    if missing:
        write_list(osp.join(args.out_dir, f'{args.prefix}_missing.txt'),
                   missing)


if __name__ == '__main__':
    main()

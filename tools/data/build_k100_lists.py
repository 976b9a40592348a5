"""Kinetics-100 lists from a local Kinetics-400 copy.

Kinetics-100 is a 100-class subset of Kinetics-400 used for pretraining.
Two definitions are supported; pick one:

* ``--clip-list FILE``: the clips of a list in the auxSKD authors' format,
  ``<class>/<youtube_id>_<start>_<end> <frames>`` per line (their
  ``auxSKD/list/k100.list``: 100 classes, 32,552 clips). Each clip is looked
  up in ``--video-root`` by its file name (class folders or flat); clips the
  copy lacks are reported and left out.
* ``--smallest N`` (RSPNet's rule): the N classes whose videos in the copy
  have the smallest total file size (ties broken by name). A video's class
  is its folder name, or, for a flat copy, comes from ``--k400-list`` and
  ``--label-map`` (written by ``build_kinetics_lists.py``).
* ``--classes FILE``: the classes named in FILE (one per line, e.g. the
  ``label_map`` a previous ``--smallest`` run wrote, to build the val split
  with the same classes).

Classes are numbered in alphabetical order. Writes, in ``--out-dir``::

    {prefix}_{split}_list_videos.txt     path label
    {prefix}_{split}_list_rawframes.txt  dir frames label   (--frame-root)
    {prefix}_label_map.txt               class names, label order
    {prefix}_{split}_missing.txt         clips the copy lacks (--clip-list)

Example (the authors' list, downloaded from their repository)::

    python tools/data/build_k100_lists.py --clip-list k100.list \\
        --video-root data/kinetics400/videos_train --out-dir data/kinetics100
"""
import os.path as osp
from collections import defaultdict

from prep_common import (VideoFinder, build_lists, doc_parser, index_videos,
                         read_lines, write_list, write_split)


def norm_class(name):
    """Class names as folder names: spaces become underscores."""
    return name.strip().replace(' ', '_')


def read_clip_list(path):
    """``[(class, clip stem)]`` from an auxSKD-format list."""
    clips = []
    for num, line in enumerate(read_lines(path), 1):
        rel = line.split()[0]
        if '/' not in rel:
            raise ValueError(f'{path}:{num}: expected "<class>/<clip> '
                             f'<frames>", got {line!r}')
        cls, stem = rel.rsplit('/', 1)
        clips.append((norm_class(cls), osp.splitext(stem)[0]))
    return clips


def copy_videos(video_root, k400_list=None, label_map=None):
    """``[(relative path, class)]`` of the videos in the copy."""
    if k400_list:
        if not label_map:
            raise ValueError('--k400-list needs --label-map')
        names = [norm_class(n) for n in read_lines(label_map)]
        return [(line.split()[0], names[int(line.split()[-1])])
                for line in read_lines(k400_list)]
    videos = []
    for paths in index_videos(video_root).values():
        for rel in paths:
            cls = osp.basename(osp.dirname(rel))
            if not cls:
                raise ValueError(
                    f'{rel} is not in a class folder: for a flat copy pass '
                    '--k400-list and --label-map')
            videos.append((rel, cls))
    return sorted(videos)


def smallest_classes(videos, video_root, num):
    """The ``num`` classes of smallest total size, with the sizes."""
    sizes = defaultdict(int)
    for rel, cls in videos:
        sizes[cls] += osp.getsize(osp.join(video_root, rel))
    if len(sizes) < num:
        raise ValueError(f'the copy has {len(sizes)} classes, fewer than '
                         f'--smallest {num}')
    ranked = sorted(sizes.items(), key=lambda kv: (kv[1], kv[0]))
    return dict(ranked[:num])


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    rule = parser.add_mutually_exclusive_group(required=True)
    rule.add_argument('--clip-list', help='auxSKD-format clip list')
    rule.add_argument('--smallest', type=int, metavar='N',
                      help="RSPNet's rule: the N smallest classes")
    rule.add_argument('--classes', help='file of class names')
    parser.add_argument('--video-root', required=True,
                        help='the local Kinetics-400 copy')
    parser.add_argument('--frame-root', help='the extracted frames')
    parser.add_argument('--k400-list', help='Kinetics-400 videos list (for '
                        'a flat copy with --smallest/--classes)')
    parser.add_argument('--label-map', help='its label map')
    parser.add_argument('--split', default='train',
                        help='split name used in the output file names')
    parser.add_argument('--out-dir', default='data/kinetics100')
    parser.add_argument('--prefix', default='kinetics100')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.clip_list:
        clips = read_clip_list(args.clip_list)
        classes = sorted({cls for cls, _ in clips})
        labels = {c: i for i, c in enumerate(classes)}
        entries = [(f'{cls}/{stem}.mp4', labels[cls]) for cls, stem in clips]
        finder = VideoFinder(args.video_root)
    else:
        videos = copy_videos(args.video_root, args.k400_list, args.label_map)
        if args.smallest:
            sizes = smallest_classes(videos, args.video_root, args.smallest)
            total = sum(sizes.values())
            print(f'{len(sizes)} smallest classes: {total / 1e9:.2f} GB in '
                  f'all, {min(sizes.values()) / 1e6:.1f} to '
                  f'{max(sizes.values()) / 1e6:.1f} MB per class')
            classes = sorted(sizes)
        else:
            classes = sorted({norm_class(c) for c in read_lines(args.classes)})
            unknown = set(classes) - {cls for _, cls in videos}
            if unknown:
                print(f'{len(unknown)} class(es) have no video in the copy: '
                      f'{sorted(unknown)[:5]}')
        labels = {c: i for i, c in enumerate(classes)}
        entries = [(rel, labels[cls]) for rel, cls in videos if cls in labels]
        finder = VideoFinder(None)  # the paths come from the copy
    print(f'{len(classes)} classes, {len(entries)} clips')
    missing = []
    write_split(args.out_dir, f'{args.prefix}_{args.split}_list',
                build_lists(entries, finder, args.frame_root,
                            not args.no_progress), missing)
    write_list(osp.join(args.out_dir, f'{args.prefix}_label_map.txt'), classes)
    if missing:
        write_list(osp.join(args.out_dir,
                            f'{args.prefix}_{args.split}_missing.txt'),
                   missing)


if __name__ == '__main__':
    main()

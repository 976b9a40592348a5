"""UCF101 / HMDB51 official splits -> MMAction2 lists for splits 1, 2, 3.

UCF101 (``ucfTrainTestlist/``): ``classInd.txt`` (``1 ApplyEyeMakeup``),
``trainlist0{1,2,3}.txt`` (``ApplyEyeMakeup/v_..._g08_c01.avi 1``) and
``testlist0{1,2,3}.txt`` (``ApplyEyeMakeup/v_..._g01_c01.avi``).
HMDB51 (``testTrainMulti_7030_splits/``): ``<class>_test_split{1,2,3}.txt``
with lines ``<video>.avi <0|1|2>`` (0 unused, 1 train, 2 test); classes are
numbered in alphabetical order.

Writes, in ``--out-dir`` (labels 0-based)::

    {ucf101,hmdb51}_{train,val}_split_{1,2,3}_videos.txt     path label
    {ucf101,hmdb51}_{train,val}_split_{1,2,3}_rawframes.txt  dir frames label
    {ucf101,hmdb51}_label_map.txt                            class per line

Video paths are checked against ``--video-root`` (class folders or flat;
missing videos are reported and left out; without it the class-folder paths
are written unchecked). Raw-frame lists need ``--frame-root`` (frames from
``extract_frames.py``); their frame counts are those on disk. Example::

    python tools/data/build_split_lists.py ucf101 \\
        data/ucf101/ucfTrainTestlist --video-root data/ucf101/videos \\
        --frame-root data/ucf101/rawframes --out-dir data/ucf101
"""
import glob
import os.path as osp
import re

from prep_common import (VideoFinder, build_lists, doc_parser, read_lines,
                         write_list, write_split)


def parse_ucf101(split_dir, split):
    """``(train, test, classes)``; train/test are ``(path, label)`` lists."""
    classes = {}
    for line in read_lines(osp.join(split_dir, 'classInd.txt')):
        idx, name = line.split()
        classes[name] = int(idx) - 1
    names = sorted(classes, key=classes.get)

    def entries(kind):
        out = []
        for line in read_lines(osp.join(split_dir, f'{kind}list0{split}.txt')):
            path = line.split()[0]
            folder = path.split('/')[0]
            if folder not in classes:
                raise ValueError(f'{kind}list0{split}.txt: class {folder!r} '
                                 f'of {path} is not in classInd.txt')
            out.append((path, classes[folder]))
        return out

    return entries('train'), entries('test'), names


def parse_hmdb51(split_dir, split):
    """``(train, test, classes)`` from ``<class>_test_split{split}.txt``."""
    pattern = re.compile(rf'^(.+)_test_split{split}\.txt$')
    files = sorted(glob.glob(osp.join(split_dir, f'*_test_split{split}.txt')))
    names = [pattern.match(osp.basename(f)).group(1) for f in files]
    if not names:
        raise FileNotFoundError(
            f'no *_test_split{split}.txt files in {split_dir}')
    train, test = [], []
    for label, (name, path) in enumerate(zip(names, files)):
        for line in read_lines(path):
            video, usage = line.split()[:2]
            target = {'1': train, '2': test}.get(usage)
            if target is not None:
                target.append((f'{name}/{video}', label))
    return train, test, names


PARSERS = dict(ucf101=parse_ucf101, hmdb51=parse_hmdb51)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument('dataset', choices=sorted(PARSERS))
    parser.add_argument('split_dir', help='folder of the official split files')
    parser.add_argument('--video-root', help='the videos (checks the paths)')
    parser.add_argument('--frame-root', help='the extracted frames')
    parser.add_argument('--out-dir', help='default: data/<dataset>')
    parser.add_argument('--splits', type=int, nargs='+', default=[1, 2, 3],
                        choices=[1, 2, 3])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out_dir = args.out_dir or osp.join('data', args.dataset)
    finder = VideoFinder(args.video_root)
    if finder.index is None:
        print('no --video-root: writing the class-folder paths unchecked')
    missing, names = [], None
    for split in args.splits:
        train, test, names = PARSERS[args.dataset](args.split_dir, split)
        for subset, entries in (('train', train), ('val', test)):
            name = f'{args.dataset}_{subset}_split_{split}'
            result = build_lists(entries, finder, args.frame_root,
                                 not args.no_progress)
            write_split(out_dir, name, result, missing)
    write_list(osp.join(out_dir, f'{args.dataset}_label_map.txt'), names)
    if missing:
        write_list(osp.join(out_dir, f'{args.dataset}_missing.txt'), missing)


if __name__ == '__main__':
    main()

"""PASCAL VOC 2007 multi-label lists for the image-side linear probe.

Reads ``VOCdevkit/VOC2007/ImageSets/Main/<class>_<split>.txt`` (one line per
image: ``<id> 1`` present, ``-1`` absent, ``0`` present but difficult) for
the 20 classes and writes, for each split, ``voc07_<split>_list.txt`` with
lines ``<id>.jpg <class index> ...``: the classes present in the image,
difficult ones included (they are objects of the class; VOC's own
evaluation ignores them instead, which a multi-hot target cannot say).
Usage::

    python tools/data/voc07_lists.py data/voc07/VOCdevkit --out data/voc07
"""
import argparse
import os
import os.path as osp

CLASSES = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
           'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
           'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
           'tvmonitor')


def read_split(devkit, split):
    """{image id: sorted class indices present} for one split."""
    main = osp.join(devkit, 'VOC2007', 'ImageSets', 'Main')
    present = {}
    for index, name in enumerate(CLASSES):
        path = osp.join(main, f'{name}_{split}.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} is missing: is {devkit} the '
                                    'VOCdevkit folder of VOC 2007?')
        with open(path) as f:
            for line in f:
                image, flag = line.split()
                labels = present.setdefault(image, [])
                if int(flag) >= 0:
                    labels.append(index)
    return present


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('devkit', help='the VOCdevkit folder')
    parser.add_argument('--out', default='data/voc07')
    parser.add_argument('--splits', nargs='+', default=['trainval', 'test'])
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for split in args.splits:
        present = read_split(args.devkit, split)
        path = osp.join(args.out, f'voc07_{split}_list.txt')
        with open(path, 'w') as f:
            for image in sorted(present):
                labels = ' '.join(map(str, present[image]))
                f.write(f'{image}.jpg {labels}\n')
        print(f'{len(present)} images -> {path}')


if __name__ == '__main__':
    main()

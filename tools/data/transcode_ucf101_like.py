"""Re-encode videos the way UCF101 stores them, for pipeline benchmarks.

UCF101's files are XVID (MPEG-4 Part 2) in AVI, 320x240, 25 fps. Decoding
cost depends on the codec, the frame size and the keyframe spacing as much
as on the content, so a benchmark on a few HD camera files says little about
training on UCF101. This writes each input video (any format decord reads)
as ``<out>/<name>.avi`` with that codec and geometry through OpenCV's
encoder, which puts a keyframe every 12 frames. The content stays real::

    python tools/data/transcode_ucf101_like.py /tmp/skv/videos/*.mp4 \\
        --out /tmp/ucf101_like
"""
import argparse
import os
import os.path as osp

import cv2
import decord


def transcode(src, dst, size=(320, 240), fps=25):
    """Write ``src`` to ``dst`` as XVID/AVI of ``size``; returns frames."""
    reader = decord.VideoReader(src, num_threads=1)
    writer = cv2.VideoWriter(dst, cv2.VideoWriter_fourcc(*'XVID'), fps, size)
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write XVID to {dst}')
    try:
        for i in range(len(reader)):
            frame = reader[i].asnumpy()[..., ::-1]  # RGB -> BGR
            writer.write(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
    finally:
        writer.release()
    return len(reader)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('videos', nargs='+')
    parser.add_argument('--out', required=True)
    parser.add_argument('--size', type=int, nargs=2, default=(320, 240),
                        metavar=('W', 'H'))
    parser.add_argument('--fps', type=int, default=25)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for src in args.videos:
        name = osp.splitext(osp.basename(src))[0]
        dst = osp.join(args.out, name + '.avi')
        n = transcode(src, dst, tuple(args.size), args.fps)
        print(f'{dst}: {n} frames')


if __name__ == '__main__':
    main()

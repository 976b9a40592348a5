"""Re-encode videos the way UCF101 stores them, for pipeline benchmarks.

UCF101's files are XVID (MPEG-4 Part 2) in AVI, 320x240, 25 fps. Decoding
cost depends on the codec, the frame size and the keyframe spacing as much
as on the content, so a benchmark on a few HD camera files says little about
training on UCF101. This writes each input video (any format FFmpeg reads:
decoded with PyAV, or decord with ``--decoder decord``) as
``<out>/<name>.avi`` with that codec and geometry through OpenCV's encoder,
which puts a keyframe every 12 frames. The content stays real::

    python tools/data/transcode_ucf101_like.py /tmp/skv/videos/*.mp4 \\
        --out /tmp/ucf101_like
"""
import argparse
import os
import os.path as osp

import cv2

from prep_common import add_decoder_arg, check_decoder, open_video


def transcode(src, dst, size=(320, 240), fps=25, decoder='pyav'):
    """Write ``src`` to ``dst`` as XVID/AVI of ``size``; returns frames."""
    reader = open_video(src, decoder)
    writer = cv2.VideoWriter(dst, cv2.VideoWriter_fourcc(*'XVID'), fps, size)
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write XVID to {dst}')
    count = 0
    try:
        for frame in reader.iter_frames():
            frame = frame[..., ::-1]  # RGB -> BGR
            writer.write(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
            count += 1
    finally:
        writer.release()
        reader.close()
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('videos', nargs='+')
    parser.add_argument('--out', required=True)
    parser.add_argument('--size', type=int, nargs=2, default=(320, 240),
                        metavar=('W', 'H'))
    parser.add_argument('--fps', type=int, default=25)
    add_decoder_arg(parser)
    args = parser.parse_args(argv)
    check_decoder(parser, args.decoder)
    os.makedirs(args.out, exist_ok=True)
    for src in args.videos:
        name = osp.splitext(osp.basename(src))[0]
        dst = osp.join(args.out, name + '.avi')
        n = transcode(src, dst, tuple(args.size), args.fps, args.decoder)
        print(f'{dst}: {n} frames')


if __name__ == '__main__':
    main()

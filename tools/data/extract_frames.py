"""Extract JPEG frames from videos (PyAV), in parallel and resumable.

Each video ``<video root>/<path>.<ext>`` gets the folder
``<frame root>/<path>/`` with ``img_00001.jpg``, ``img_00002.jpg``, ... (the
MMAction2 raw-frame layout), optionally resized so that the short side is
``--short-side`` pixels. Frames are written to a temporary folder that is
renamed when the video is done, so a frame folder that exists is complete:
an interrupted run started again skips the finished videos and redoes the
one it was in. If decoding fails part-way (a truncated file), the frames
read so far are kept and the video is reported as partial; videos with no
readable frame are reported as failed and get no folder.

With ``--list`` only the videos of an MMAction2 video list are extracted,
and ``--out-list`` writes the matching raw-frame list (``dir frames label``)
from the frames on disk. Frames are decoded with PyAV (RGB, every frame in
order; a file whose MP4 index lists more frames than it holds is reported
as partial); ``--decoder decord`` uses decord instead, where installed
(optional: ``pip install -e .[decord]``). Example::

    python tools/data/extract_frames.py data/ucf101/videos \\
        data/ucf101/rawframes --short-side 128 --workers 8
"""
import os
import os.path as osp
import shutil

import cv2

from prep_common import (FRAME_TMPL, add_decoder_arg, check_decoder,
                         count_frames, doc_parser, frame_dir_of,
                         index_videos, open_video, parallel_map, read_lines,
                         write_list)

TMP_SUFFIX = '.extracting'


def resize_short(frame, short_side):
    """Resize so that the short side is ``short_side`` (keeps the ratio)."""
    h, w = frame.shape[:2]
    if not short_side or min(h, w) == short_side:
        return frame
    scale = short_side / min(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(frame, size, interpolation=interp)


def decode_frames(path, decoder='pyav'):
    """Yield RGB frames of a video in order; raise when a frame cannot be
    read (after the frames before it)."""
    reader = open_video(path, decoder)
    try:
        if len(reader) == 0:
            raise RuntimeError('no frames')
        yield from reader.iter_frames()
    finally:
        reader.close()


def extract_one(task):
    """Extract one video; returns ``(rel, status, frames, message)`` with
    status ``skipped``, ``done``, ``partial`` or ``failed``."""
    video_root, frame_root, rel, short_side, quality, decoder = task
    target = osp.join(frame_root, frame_dir_of(rel))
    if osp.isdir(target):
        return rel, 'skipped', count_frames(target), ''
    tmp = target + TMP_SUFFIX
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    written, message = 0, ''
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    try:
        for frame in decode_frames(osp.join(video_root, rel), decoder):
            frame = cv2.cvtColor(resize_short(frame, short_side),
                                 cv2.COLOR_RGB2BGR)
            written += 1
            if not cv2.imwrite(
                    osp.join(tmp, FRAME_TMPL.format(written)), frame, params):
                raise OSError(f'cannot write frames in {tmp}')
    except Exception as err:  # decoders raise many types
        message = f'{type(err).__name__}: {err}'.strip()
        if isinstance(err, OSError) or written == 0:
            shutil.rmtree(tmp, ignore_errors=True)
            return rel, 'failed', 0, message
    os.rename(tmp, target)
    return rel, 'partial' if message else 'done', written, message


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument('video_root')
    parser.add_argument('frame_root')
    parser.add_argument('--list', help='MMAction2 video list: only these')
    parser.add_argument('--out-list', help='write the raw-frame list here')
    parser.add_argument('--short-side', type=int, default=0,
                        help='resize the short side to this (0: keep)')
    parser.add_argument('--quality', type=int, default=95, help='JPEG quality')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--max-tasks-per-worker', type=int, default=100,
                        help='restart a worker after this many videos '
                        '(bounds decoder memory growth)')
    add_decoder_arg(parser)
    parser.add_argument('--failed-list', help='write the failed videos here')
    args = parser.parse_args(argv)
    check_decoder(parser, args.decoder)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        items = [(line.split()[0], line.split()[-1])
                 for line in read_lines(args.list)]
    else:
        index = index_videos(args.video_root)
        items = sorted((rel, '-1') for paths in index.values()
                       for rel in paths)
    tasks = [(args.video_root, args.frame_root, rel, args.short_side,
              args.quality, args.decoder) for rel, _ in items]
    results = parallel_map(extract_one, tasks, args.workers,
                           not args.no_progress, args.max_tasks_per_worker)
    counts = {}
    for _, status, _, _ in results:
        counts[status] = counts.get(status, 0) + 1
    print('videos: ' +
          ', '.join(f'{k} {v}' for k, v in sorted(counts.items())))
    bad = [(rel, status, msg) for rel, status, _, msg in results
           if status in ('partial', 'failed')]
    for rel, status, msg in bad:
        print(f'  {status}: {rel} ({msg})')
    if args.failed_list:
        write_list(args.failed_list,
                   [rel for rel, status, _ in bad if status == 'failed'])
    if args.out_list:
        write_list(args.out_list, [
            f'{frame_dir_of(rel)} {n} {label}'
            for (rel, label), (_, status, n, _) in zip(items, results)
            if status != 'failed' and n > 0
        ])
    return results


if __name__ == '__main__':
    main()

"""Is VSPP's signal in the pixels a geometry leaves? A check without training.

For every video of a split and every VSPP clip with an altered segment
(pace 2-4, segments 1-4; ``vspp_offsets``, the start centred as the
held-out draws centre it), the clip's frames are resized (short side) and
centre-cropped as a pretext pipeline would, and the segment with the
largest mean absolute frame difference is taken as the guess. The share
of right guesses says how visible the altered segment is at that geometry
before any network looks at it (chance 0.25); the mean frame difference
(0-255) says how much motion reaches the crop. A geometry whose crop misses
the moving objects shows here first; a stage that stays at chance where
this check is high needs steps, not another geometry
(docs/small_data.md#other-videos-slow-motion-clutter-scale-classes)::

    python tools/analysis/motion_check.py data/demo-slow+clutter+scale \\
        --geometry 40x32 64x32

Decodes with OpenCV; lists ``<data>/demo_<split>_list_videos.txt``.
"""
import argparse
import os.path as osp

import cv2
import numpy as np


def parse_geometry(text):
    """``'40x32'`` -> (short side 40, crop 32)."""
    try:
        short, crop = (int(v) for v in text.split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'geometry {text!r}: want SHORTxCROP, e.g. 40x32')
    if not 0 < crop <= short:
        raise argparse.ArgumentTypeError(
            f'geometry {text!r}: the crop must fit the short side')
    return short, crop


def read_frames(path):
    """All frames of a video, (T, H, W, 3) float32."""
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame.astype(np.float32))
    cap.release()
    if not frames:
        raise RuntimeError(f'no frames decoded from {path}')
    return np.stack(frames)


def view(frames, short, crop):
    """Frames resized to ``short`` (bilinear, as ``Resize``), centre crop."""
    h, w = frames.shape[1:3]
    scale = short / min(h, w)
    size = (max(short, round(w * scale)), max(short, round(h * scale)))
    if size != (w, h):
        frames = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_LINEAR)
                           for f in frames])
    top, left = ((s - crop) // 2 for s in frames.shape[1:3])
    return frames[:, top:top + crop, left:left + crop]


def segment_guesses(frames, clip_len=16, num_segments=4, paces=(2, 3, 4)):
    """(right guesses, clips, mean |frame difference|) over the altered
    clips of one video's (already resized and cropped) frames."""
    from mmauxskd.datasets.transforms.segment_pace import (segment_bounds,
                                                           vspp_offsets)
    bounds = segment_bounds(clip_len, num_segments)
    # the step into clip position i belongs to the segment holding i
    owner = np.searchsorted(bounds, np.arange(1, clip_len), side='right') - 1
    right = clips = 0
    energy = []
    for pace in paces:
        for segment in range(1, num_segments + 1):
            offsets = vspp_offsets(clip_len, num_segments, pace, segment)
            start = max(0, (len(frames) - offsets[-1] - 1) // 2)
            index = np.minimum(start + offsets, len(frames) - 1)
            steps = np.abs(np.diff(frames[index], axis=0)).mean(
                axis=(1, 2, 3))
            per_segment = np.bincount(owner, steps, num_segments) / \
                np.bincount(owner, minlength=num_segments)
            right += int(np.argmax(per_segment) == segment - 1)
            clips += 1
            energy.append(steps.mean())
    return right, clips, float(np.mean(energy))


def check(data, split, geometries, limit=None):
    """{(short, crop): (share of right guesses, mean frame difference)}."""
    with open(osp.join(data, f'demo_{split}_list_videos.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()][:limit]
    totals = {g: [0, 0, []] for g in geometries}
    for name in names:
        frames = read_frames(osp.join(data, 'videos', name))
        for geometry in geometries:
            right, clips, energy = segment_guesses(view(frames, *geometry))
            totals[geometry][0] += right
            totals[geometry][1] += clips
            totals[geometry][2].append(energy)
    return {g: (r / n, float(np.mean(e))) for g, (r, n, e) in totals.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('data', help='a demo-layout folder (make_demo_data)')
    parser.add_argument('--split', default='pretext_val')
    parser.add_argument('--geometry', nargs='+', type=parse_geometry,
                        default=[(40, 32)],
                        help='SHORTxCROP, e.g. 40x32 (the demo\'s) 64x32')
    parser.add_argument('--limit', type=int, help='first N videos only')
    args = parser.parse_args(argv)
    result = check(args.data, args.split, args.geometry, args.limit)
    print(f'{args.data} ({args.split}): altered segment found from frame '
          'differences (chance 0.25), mean |frame difference| in the crop')
    for (short, crop), (share, energy) in result.items():
        print(f'  short side {short}, crop {crop}: {share:.2f}, '
              f'{energy:.2f}')
    return result


if __name__ == '__main__':
    main()

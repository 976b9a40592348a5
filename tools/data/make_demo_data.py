"""Write the demo dataset: real encoded mp4 videos and MMAction2 lists.

Each video shows a few textured blobs drifting over a static noise
background, wrapping around the frame edges. In the labelled split all
blobs of a video drift up or down, slowly or fast (the four classes), with a
random sideways component; start positions, colours, sizes and background
are random. Because the motion wraps around, a blob's position in any single
frame is uniform whatever the class: the label can only be read from motion.
The classes survive the training augmentation (a horizontal flip changes
neither the vertical direction nor the speed). The unlabelled split (for
pretraining) drifts in any direction at any speed of the same range.

Time can be given an arrow, as in natural videos (``--growth``, off by
default): every blob's disc then spreads at one rate for all videos,
``growth`` of its radius per 64 frames, over a texture that moves rigidly
with the blob (a spreading stain; an earlier version rescaled the texture
every frame, which resampled its noise at every frame). Without it a video
of drifting, wrapping blobs is statistically the same at every moment and,
the unlabelled directions being uniform, played backwards it is just as
likely: the order of clips taken from it (VCOP) is then undefined. With
``--growth 0.75`` the demo VCOP stage learns its order task (held-out 0.79,
chance 0.17, seed 0), but VSPP's segment task takes off later and 2 of 4
VSPP stages missed the demo's targets (docs/small_data.md), so the default
keeps the time-symmetric videos and ``tools/run_demo.py`` pretrains VCOP's
arms on a second set made with ``--growth 0.75``. A single frame's blob
size says little about when it was taken (the initial sizes vary 2x) and
nothing about the class.

The splits (defaults in brackets) follow a label-scarce protocol:

* ``unlabelled`` [96]: pretext training;
* ``pretext_val`` [32]: unlabelled, held out, for each pretext stage's own
  task accuracy (and choosing pretext recipes);
* ``train`` [16, i.e. 4 per class]: the few labelled videos finetuning and
  the frozen-backbone readouts (kNN gallery) learn from;
* ``val`` [32]: labelled, held out, for choosing recipes (never the test
  list);
* ``test`` [80]: reported once; one video is worth 1.25 points.

Layout written under ``--out`` (default ``data/demo``)::

    videos/<split>/<name>.mp4
    rawframes/<split>/<name>/img_00001.jpg ...     (with --rawframes)
    demo_<split>_list_videos.txt      "<rel path> <label>"
    demo_<split>_list_rawframes.txt   "<rel dir> <frames> <label>"
    classnames.txt

Unlabelled lists carry label -1. Example::

    python tools/data/make_demo_data.py --out data/demo --rawframes
"""
import argparse
import os
import os.path as osp

import cv2
import numpy as np

CLASSES = ('up_slow', 'up_fast', 'down_slow', 'down_fast')
SPEEDS = ((0.5, 1.0), (1.75, 2.5))  # pixels per frame at 64x64: slow, fast


def velocity(rng, label=None):
    """(dx, dy) in pixels per frame at 64x64 for a class, or at random.

    A class fixes the vertical direction (``label // 2``: up, down) and the
    speed range (``label % 2``: slow, fast); the sideways drift is random.
    Without a label: any direction, any speed of the whole range.
    """
    if label is None:
        angle = rng.uniform(0, 2 * np.pi)
        speed = rng.uniform(SPEEDS[0][0], SPEEDS[1][1])
        return speed * np.cos(angle), speed * np.sin(angle)
    speed = rng.uniform(*SPEEDS[label % 2])
    dx = rng.uniform(-0.5, 0.5) * speed
    dy = (-1 if label // 2 == 0 else 1) * np.sqrt(speed**2 - dx**2)
    return dx, dy


def render_video(rng, num_frames, size, label=None, growth=0.0):
    """Frames (T, H, W, 3) uint8 RGB of blobs drifting together.

    Args:
        rng (np.random.Generator): randomness source.
        num_frames (int): T.
        size (int): H = W.
        label (int, optional): class index into ``CLASSES``; None for a
            random direction and speed (unlabelled videos).
        growth (float): relative growth of every blob's radius (and
            texture) per 64 frames, the same for all videos: radius at
            frame t = r0 (1 + growth t / 64). 0 gives a time-symmetric video.
    """
    dx, dy = np.array(velocity(rng, label)) * size / 64
    background = rng.integers(0, 120, (size, size, 3), dtype=np.uint8)
    background = cv2.GaussianBlur(background, (5, 5), 0)
    blobs = []
    last_scale = 1 + growth * (num_frames - 1) / 64
    for _ in range(rng.integers(1, 4)):
        radius = int(rng.integers(size // 12, size // 6))
        colour = rng.integers(130, 256, 3)
        # a texture wide enough for the largest disc
        half = int(np.ceil(radius * last_scale))
        texture = rng.integers(0, 60, (2 * half + 1, 2 * half + 1, 3))
        blobs.append((rng.uniform(0, size, 2), radius, colour, texture))
    yy, xx = np.mgrid[:size, :size]
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for t in range(num_frames):
        frame = background.astype(np.int16)
        scale = 1 + growth * t / 64
        for (x0, y0), radius, colour, texture in blobs:
            cx = (x0 + dx * t) % size
            cy = (y0 + dy * t) % size
            # toroidal distance: blobs wrap around the edges
            ddx = (xx - cx + size / 2) % size - size / 2
            ddy = (yy - cy + size / 2) % size - size / 2
            mask = ddx**2 + ddy**2 <= (radius * scale)**2
            # the disc spreads over a texture that moves rigidly with the
            # blob (a spreading stain): every pixel inside keeps its value
            # from frame to frame, so the growth adds no flicker to the
            # motion (a texture rescaled each frame, as before, resampled
            # its noise at every frame)
            half = texture.shape[0] // 2
            tx = np.floor(ddx[mask]).astype(int) + half
            ty = np.floor(ddy[mask]).astype(int) + half
            frame[mask] = colour - texture[ty, tx]
        frames[t] = np.clip(frame, 0, 255)
    return frames


def write_mp4(path, frames, fps=16):
    """Encode RGB frames (T, H, W, 3) as MPEG-4 Part 2 in an mp4 file."""
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {path}')
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def write_rawframes(folder, frames):
    """MMAction2 raw-frame layout: img_00001.jpg, 1-based."""
    os.makedirs(folder, exist_ok=True)
    for i, frame in enumerate(frames, 1):
        cv2.imwrite(
            osp.join(folder, f'img_{i:05d}.jpg'),
            cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))


def make_split(out, split, count, rng, args, labelled):
    video_lines, frame_lines = [], []
    os.makedirs(osp.join(out, 'videos', split), exist_ok=True)
    for i in range(count):
        label = i % len(CLASSES) if labelled else -1
        num_frames = int(rng.integers(args.min_frames, args.max_frames + 1))
        frames = render_video(
            rng, num_frames, args.size, label=label if labelled else None,
            growth=args.growth)
        name = f'{split}_{i:04d}'
        write_mp4(osp.join(out, 'videos', split, name + '.mp4'), frames)
        video_lines.append(f'{split}/{name}.mp4 {label}')
        if args.rawframes:
            write_rawframes(osp.join(out, 'rawframes', split, name), frames)
            frame_lines.append(f'{split}/{name} {num_frames} {label}')
    with open(osp.join(out, f'demo_{split}_list_videos.txt'), 'w') as f:
        f.write('\n'.join(video_lines) + '\n')
    if args.rawframes:
        with open(osp.join(out, f'demo_{split}_list_rawframes.txt'),
                  'w') as f:
            f.write('\n'.join(frame_lines) + '\n')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/demo')
    parser.add_argument('--num-unlabelled', type=int, default=96)
    parser.add_argument('--num-pretext-val', type=int, default=32)
    parser.add_argument('--num-train', type=int, default=16)
    parser.add_argument('--num-val', type=int, default=32)
    parser.add_argument('--num-test', type=int, default=80)
    parser.add_argument('--size', type=int, default=64, help='frame H = W')
    parser.add_argument('--min-frames', type=int, default=40)
    parser.add_argument('--max-frames', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--growth', type=float, default=0.0,
        help='blob radius growth per 64 frames, an arrow of time (0: none; '
        '0.75 makes VCOP learnable; tools/run_demo.py uses it for VCOP, '
        'docs/small_data.md)')
    parser.add_argument(
        '--rawframes', action='store_true', help='also write JPEG frames')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    # one generator, splits in a fixed order: the same seed and counts give
    # the same videos
    for split, count, labelled in (
            ('unlabelled', args.num_unlabelled, False),
            ('train', args.num_train, True), ('test', args.num_test, True),
            ('pretext_val', args.num_pretext_val, False),
            ('val', args.num_val, True)):
        if count:
            make_split(args.out, split, count, rng, args, labelled)
    with open(osp.join(args.out, 'classnames.txt'), 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    print(f'demo data written to {args.out}')


if __name__ == '__main__':
    main()

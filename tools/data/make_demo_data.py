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

Families (``--family``, default ``default``: the videos above, byte for
byte) change what a stage has to find; they combine with ``+``
(``--family slow+clutter+scale``)::

    slow        the labelled classes and the unlabelled videos move at
                0.5-1.25 px/frame (slow class 0.5-0.8, fast 0.95-1.25)
                instead of 0.5-2.5
    clutter     one class object (instead of 1-3 blobs) over static
                clutter (4-8 textured shapes of the objects' colours) and a
                distractor: a small grey shape moving its own way
    scale       classes up, down, grow, shrink: two classes are scale
                changes (the objects zoom by 2.5-3.5x over the video,
                texture included, and drift sideways) instead of speeds;
                unlabelled videos zoom or move, half and half
    appearance  each class also has its own object shape (disc, square,
                diamond, ring), tint and scene (noise, stripes, checker,
                gradient), each shown with probability ``--cue-prob``
                (0.6; otherwise one of the other classes' at random):
                one frame tells the class only partly, motion is still
                needed; unlabelled videos draw each cue at random

A family's frame count: ``--frames N`` (every video N frames) or
``--min-frames`` / ``--max-frames``. A folder of a family other than the
default records it in ``family.json`` (``tools/run_demo.py
--data-family`` checks it); the default family writes no such file.
"""
import argparse
import json
import os
import os.path as osp

import cv2
import numpy as np

CLASSES = ('up_slow', 'up_fast', 'down_slow', 'down_fast')
SPEEDS = ((0.5, 1.0), (1.75, 2.5))  # pixels per frame at 64x64: slow, fast
# the families beyond the default, in their canonical order (module
# docstring); a name combines them with '+'
FAMILIES = ('slow', 'clutter', 'scale', 'appearance')
SLOW_SPEEDS = ((0.5, 0.8), (0.95, 1.25))
SCALE_CLASSES = ('up', 'down', 'grow', 'shrink')
ZOOM = (2.5, 3.5)  # scale family: radius ratio over the whole video
# appearance cues, one per class index
SHAPES = ('disc', 'square', 'diamond', 'ring')
# how far a shape of radius r reaches along an axis (its texture's half size)
SHAPE_EXTENT = dict(disc=1.0, square=0.85, diamond=1.25, ring=1.0)
TINTS = ((235, 125, 115), (125, 225, 125), (125, 145, 240), (230, 215, 115))
SCENES = ('noise', 'stripes', 'checker', 'gradient')


def parse_family(name):
    """The parts of a family name in canonical order: ``'default'`` -> (),
    ``'clutter+slow'`` -> ('slow', 'clutter').

    Raises:
        ValueError: an unknown part, naming the known ones.
    """
    parts = [p for p in name.split('+') if p and p != 'default']
    unknown = sorted(set(parts) - set(FAMILIES))
    if unknown:
        raise ValueError(f'unknown video family {"+".join(unknown)!r}: use '
                         f'default or any of {", ".join(FAMILIES)} joined '
                         "with '+'")
    return tuple(p for p in FAMILIES if p in parts)


def family_name(name):
    """Canonical spelling of a family name (``'default'`` for none)."""
    return '+'.join(parse_family(name)) or 'default'


class Family:
    """What a family changes: speed ranges, classes, clutter, cues.

    Args:
        name (str): ``default`` or parts of ``FAMILIES`` joined by ``+``.
        cue_prob (float): appearance family: the probability that each cue
            (shape, tint, scene) of a labelled video is its class's.
    """

    def __init__(self, name='default', cue_prob=0.6):
        self.parts = parse_family(name)
        self.name = '+'.join(self.parts) or 'default'
        if not 0 <= cue_prob <= 1:
            raise ValueError(f'cue_prob must be in [0, 1], got {cue_prob}')
        self.cue_prob = cue_prob
        self.speeds = SLOW_SPEEDS if 'slow' in self.parts else SPEEDS
        self.classes = SCALE_CLASSES if 'scale' in self.parts else CLASSES

    def __contains__(self, part):
        return part in self.parts

    @property
    def speed_range(self):
        return self.speeds[0][0], self.speeds[1][1]

    def record(self):
        """What ``family.json`` says about the folder's videos."""
        return dict(family=self.name, classes=list(self.classes),
                    speeds=[list(s) for s in self.speeds],
                    cue_prob=self.cue_prob if 'appearance' in self else None)


DEFAULT = Family()
FAMILY_FILE = 'family.json'


def folder_family(folder):
    """The family of a generated folder: its ``family.json``'s, or
    ``'default'`` where there is none."""
    path = osp.join(folder, FAMILY_FILE)
    if not osp.exists(path):
        return 'default'
    with open(path) as f:
        return json.load(f)['family']


def _vertical(rng, speed, up):
    """(dx, dy): vertical at ``speed``, up or down, a random sideways part."""
    dx = rng.uniform(-0.5, 0.5) * speed
    dy = (-1 if up else 1) * np.sqrt(speed**2 - dx**2)
    return dx, dy


def velocity(rng, label=None, speeds=SPEEDS):
    """(dx, dy) in pixels per frame at 64x64 for a class, or at random.

    A class fixes the vertical direction (``label // 2``: up, down) and the
    speed range (``label % 2``: slow, fast; ``speeds``); the sideways drift
    is random. Without a label: any direction, any speed of the whole range.
    """
    if label is None:
        angle = rng.uniform(0, 2 * np.pi)
        speed = rng.uniform(speeds[0][0], speeds[1][1])
        return speed * np.cos(angle), speed * np.sin(angle)
    speed = rng.uniform(*speeds[label % 2])
    return _vertical(rng, speed, up=label // 2 == 0)


def motion(rng, family=DEFAULT, label=None):
    """The class objects' motion: ``(dx, dy, zoom)``, pixels per frame at
    64x64 and the radius ratio from the first frame to the last (1: none;
    > 1 grows, < 1 shrinks).

    The scale family's classes up and down move vertically at any speed of
    the family's range, grow and shrink zoom by ``ZOOM`` drifting sideways
    at such a speed; its unlabelled videos do either, half and half.
    Otherwise :func:`velocity` and no zoom.
    """
    if 'scale' not in family:
        return (*velocity(rng, label, family.speeds), 1.0)
    if label is None:
        if rng.random() < 0.5:
            return (*velocity(rng, None, family.speeds), 1.0)
        label = 2 + int(rng.integers(2))
    speed = rng.uniform(*family.speed_range)
    if label < 2:
        return (*_vertical(rng, speed, up=label == 0), 1.0)
    zoom = rng.uniform(*ZOOM)
    side = 1 if rng.random() < 0.5 else -1
    return side * speed, 0.0, zoom if label == 2 else 1 / zoom


def cues(rng, family=DEFAULT, label=None):
    """Appearance family: ``(shape, tint, scene)`` indices; None otherwise.

    Each cue of a labelled video is its class's with probability
    ``family.cue_prob``, else one of the other classes' at random; an
    unlabelled video draws each at random.
    """
    if 'appearance' not in family:
        return None
    out = []
    for _ in range(3):
        if label is None:
            out.append(int(rng.integers(4)))
        elif rng.random() < family.cue_prob:
            out.append(label)
        else:
            out.append((label + int(rng.integers(1, 4))) % 4)
    return tuple(out)


def scene(rng, size, kind='noise'):
    """A static background (size, size, 3) uint8, values under 120."""
    if kind == 'noise':
        background = rng.integers(0, 120, (size, size, 3), dtype=np.uint8)
        return cv2.GaussianBlur(background, (5, 5), 0)
    noise = rng.integers(0, 25, (size, size, 3))
    a, b = rng.integers(10, 95, (2, 3))
    yy, xx = np.mgrid[:size, :size]
    period = max(2, size // 8)
    if kind == 'stripes':  # horizontal bands: a flip leaves them
        weight = (yy // (period // 2)) % 2
    elif kind == 'checker':
        weight = (yy // period + xx // period) % 2
    elif kind == 'gradient':  # top to bottom
        weight = yy / max(1, size - 1)
    else:
        raise ValueError(f'unknown scene {kind!r}')
    weight = weight[..., None]
    return (a * (1 - weight) + b * weight + noise).astype(np.uint8)


def shape_mask(shape, ddx, ddy, radius):
    """Pixels inside a shape of ``radius`` at offsets (ddx, ddy)."""
    if shape == 'disc':
        return ddx**2 + ddy**2 <= radius**2
    if shape == 'square':
        return np.maximum(abs(ddx), abs(ddy)) <= 0.85 * radius
    if shape == 'diamond':
        return abs(ddx) + abs(ddy) <= 1.25 * radius
    if shape == 'ring':
        d2 = ddx**2 + ddy**2
        return (d2 <= radius**2) & (d2 >= (0.5 * radius)**2)
    raise ValueError(f'unknown shape {shape!r}')


def _texture(rng, radius, shape='disc'):
    half = int(np.ceil(radius * SHAPE_EXTENT[shape]))
    return rng.integers(0, 60, (2 * half + 1, 2 * half + 1, 3))


def _paint(frame, obj, t, xx, yy, size):
    """Paint object ``obj`` at frame ``t`` into ``frame`` (int16)."""
    (x0, y0), (dx, dy) = obj['start'], obj['velocity']
    cx = (x0 + dx * t) % size
    cy = (y0 + dy * t) % size
    # toroidal distance: objects wrap around the edges
    ddx = (xx - cx + size / 2) % size - size / 2
    ddy = (yy - cy + size / 2) % size - size / 2
    radius, zoom = obj['radius'](t), obj['zoom'](t)
    mask = shape_mask(obj['shape'], ddx, ddy, radius)
    # the shape spreads over a texture that moves rigidly with it (a
    # spreading stain: every pixel inside keeps its value from frame to
    # frame, so a growth adds no flicker to the motion), or that zooms with
    # it (scale family: a looming or receding object)
    texture = obj['texture']
    half = texture.shape[0] // 2
    if zoom == 1:
        tx = np.floor(ddx[mask]).astype(int) + half
        ty = np.floor(ddy[mask]).astype(int) + half
    else:
        tx = np.floor(ddx[mask] / zoom).astype(int) + half
        ty = np.floor(ddy[mask] / zoom).astype(int) + half
    frame[mask] = obj['colour'] - texture[ty, tx]


def _still(value):
    return lambda t: value


def render_video(rng, num_frames, size, label=None, growth=0.0,
                 family=DEFAULT):
    """Frames (T, H, W, 3) uint8 RGB of objects moving together.

    Args:
        rng (np.random.Generator): randomness source.
        num_frames (int): T.
        size (int): H = W.
        label (int, optional): class index into ``family.classes``; None
            for a random motion (unlabelled videos).
        growth (float): relative growth of every blob's radius (and
            texture) per 64 frames, the same for all videos: radius at
            frame t = r0 (1 + growth t / 64). 0 gives a time-symmetric video.
        family (Family): the family (module docstring); the default's
            videos are those of the default family before families existed,
            draw for draw.
    """
    dx, dy, zoom = motion(rng, family, label)
    dx, dy = dx * size / 64, dy * size / 64
    shape, tint, kind = cues(rng, family, label) or (0, None, 0)
    background = scene(rng, size, SCENES[kind]).astype(np.int16)
    yy, xx = np.mgrid[:size, :size]
    if 'clutter' in family:
        # static shapes of the objects' colours, painted once
        for _ in range(int(rng.integers(4, 9))):
            radius = rng.uniform(size / 16, size / 8)
            form = SHAPES[int(rng.integers(4))]
            _paint(background, dict(
                start=rng.uniform(0, size, 2), velocity=(0, 0),
                radius=_still(radius), zoom=_still(1), shape=form,
                colour=rng.integers(130, 256, 3),
                texture=_texture(rng, radius, form)), 0, xx, yy, size)
    objects = []
    count = 1 if 'clutter' in family else rng.integers(1, 4)
    last_scale = 1 + growth * (num_frames - 1) / 64
    span = max(1, num_frames - 1)
    for _ in range(count):
        if 'scale' in family:
            # a frame's radius has the same distribution in every class:
            # r0 ZOOM^u, u uniform (over a zooming video's frames, or drawn
            # for a moving one)
            r0 = rng.uniform(size / 20, size / 12)
            if zoom == 1:
                radius = _still(r0 * rng.uniform(*ZOOM)**rng.random())
                z = _still(1)
                reach = radius(0)
            else:
                # grow: r0 -> r0 ratio, shrink: r0 ratio -> r0 (the video's
                # zoom sets the ratio, the direction)
                lo, rate = (r0, zoom) if zoom > 1 else (r0 / zoom, zoom)

                def z(t, rate=rate):
                    return rate**(t / span)

                def radius(t, lo=lo, z=z):
                    return lo * z(t)
                reach = lo
        else:
            radius = int(rng.integers(size // 12, size // 6))
            # a texture wide enough for the largest disc
            reach = radius * last_scale
            radius = (lambda t, r=radius: r * (1 + growth * t / 64))
            z = _still(1)
        form = SHAPES[shape]
        colour = (np.clip(np.array(TINTS[tint]) + rng.integers(-20, 21, 3),
                          130, 255) if tint is not None else
                  rng.integers(130, 256, 3))
        texture = _texture(rng, reach, form)
        objects.append(dict(start=rng.uniform(0, size, 2), velocity=(dx, dy),
                            radius=radius, zoom=z, shape=form, colour=colour,
                            texture=texture))
    if 'clutter' in family:
        # the distractor: small, grey, moving its own way; under the objects
        radius = rng.uniform(size / 24, size / 14)
        form = SHAPES[int(rng.integers(4))]
        ddx, ddy = velocity(rng, None, family.speeds)
        objects.insert(0, dict(
            start=rng.uniform(0, size, 2),
            velocity=(ddx * size / 64, ddy * size / 64),
            radius=_still(radius), zoom=_still(1), shape=form,
            colour=np.full(3, int(rng.integers(150, 230))),
            texture=_texture(rng, radius, form)))
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for t in range(num_frames):
        frame = background.copy()
        for obj in objects:
            _paint(frame, obj, t, xx, yy, size)
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


def make_split(out, split, count, rng, args, labelled, family=DEFAULT):
    video_lines, frame_lines = [], []
    os.makedirs(osp.join(out, 'videos', split), exist_ok=True)
    for i in range(count):
        label = i % len(family.classes) if labelled else -1
        num_frames = int(rng.integers(args.min_frames, args.max_frames + 1))
        frames = render_video(
            rng, num_frames, args.size, label=label if labelled else None,
            growth=args.growth, family=family)
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
    parser.add_argument('--frames', type=int,
                        help='every video this many frames (sets --min-frames '
                        'and --max-frames)')
    parser.add_argument(
        '--family', default='default',
        help='what the videos show: default, or any of '
        f'{", ".join(FAMILIES)} joined with + (e.g. slow+clutter+scale); '
        'see the module docstring')
    parser.add_argument(
        '--cue-prob', type=float, default=0.6,
        help='appearance family: probability that each cue (shape, tint, '
        'scene) of a labelled video is its class\'s')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--growth', type=float, default=0.0,
        help='blob radius growth per 64 frames, an arrow of time (0: none; '
        '0.75 makes VCOP learnable; tools/run_demo.py uses it for VCOP, '
        'docs/small_data.md)')
    parser.add_argument(
        '--rawframes', action='store_true', help='also write JPEG frames')
    args = parser.parse_args(argv)
    if args.frames is not None:
        args.min_frames = args.max_frames = args.frames
    if not 1 <= args.min_frames <= args.max_frames:
        parser.error(f'--min-frames {args.min_frames} and --max-frames '
                     f'{args.max_frames}: need 1 <= min <= max')
    try:
        args.family = Family(args.family, args.cue_prob)
    except ValueError as err:
        parser.error(f'--family / --cue-prob: {err}')
    return args


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
            make_split(args.out, split, count, rng, args, labelled,
                       args.family)
    with open(osp.join(args.out, 'classnames.txt'), 'w') as f:
        f.write('\n'.join(args.family.classes) + '\n')
    if args.family.name != 'default':
        # the default family's folder stays as it always was
        with open(osp.join(args.out, FAMILY_FILE), 'w') as f:
            json.dump(dict(args.family.record(), seed=args.seed,
                           growth=args.growth), f, indent=2)
    print(f'demo data ({args.family.name} family) written to {args.out}')


if __name__ == '__main__':
    main()

"""Render the clip the VSPP sampler draws from a video as a PNG.

The frames in clip order, each captioned with its source frame index (0-based
in the video); the frames of the altered segment are framed in red; the title
gives λ, ζ, the labels, f_r and Eq. 4's I_b and I_e. Only the sampled frames
are decoded (PyAV).

    python tools/visualize_vspp.py VIDEO [--out PNG] [--config CFG]
        [--pace L] [--segment Z] [--start F] [--seed S] [--cols 8]

The PNG goes to ``--out``, by default ``work_dirs/vspp_clip.png`` (under the
current directory; ``work_dirs/`` is where the tools write, and git ignores
it). Without ``--config`` the sampler is ``SegmentPaceSampler()`` (K = 16, Z = 4,
Q = 4); with it, the config's training sampler (e.g. a Table 4 ablation).
``--pace``/``--segment``/``--start`` force the draw; the rest is random
(``--seed``).
"""
import argparse
import os
import os.path as osp

import numpy as np

import mmauxskd  # noqa: F401  (stack fixes, registers the sampler)
from mmaction.registry import TRANSFORMS
from mmauxskd.datasets.transforms.segment_pace import segment_bounds


def find_sampler(cfg_path):
    """The ``SegmentPaceSampler`` dict of a config's training pipeline."""
    from mmengine.config import Config
    cfg = Config.fromfile(cfg_path)
    dataset = cfg.train_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset.dataset
    for t in dataset.pipeline:
        if t['type'] == 'SegmentPaceSampler':
            return dict(t)
    raise KeyError(f'{cfg_path}: no SegmentPaceSampler in the training '
                   'pipeline')


def sample(video, sampler, rng, pace=None, segment=None, start=None):
    """(frames ``(K, H, W, 3)``, indices, labels) of one draw."""
    from mmauxskd.datasets.transforms.video_readers import PyAVReader
    reader = PyAVReader(video)
    try:
        inds, labels = sampler.sample_indices(len(reader), rng, pace=pace,
                                              segment=segment, start=start)
        frames = np.stack(reader.get_frames(inds))
    finally:
        reader.close()
    return frames, inds, labels, len(reader)


def render(frames, inds, labels, sampler, out, num_frames, cols=8,
           title=None):
    """Write the grid PNG to ``out``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    k = len(frames)
    rows = -(-k // cols)
    pace, segment = labels['vspp_pace'], labels['vspp_segment']
    bounds = segment_bounds(sampler.clip_len, sampler.num_segments)
    altered = range(bounds[segment - 1], bounds[segment]) if pace > 1 else ()
    f_r = labels['vspp_start']
    i_b = f_r + bounds[segment - 1] + pace - 1
    i_e = i_b + pace * (bounds[segment] - bounds[segment - 1] - 1)
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.9 * rows + 1),
                             squeeze=False)
    for pos, ax in enumerate(axes.flat):
        ax.axis('off')
        if pos >= k:
            continue
        ax.imshow(frames[pos])
        seg = np.searchsorted(bounds, pos, side='right')
        hot = pos in altered
        ax.set_title(f'#{pos}: frame {inds[pos]}\nsegment {seg}',
                     fontsize=8, color='red' if hot else 'black')
        if hot:
            h, w = frames[pos].shape[:2]
            ax.add_patch(Rectangle((0, 0), w - 1, h - 1, fill=False,
                                   edgecolor='red', linewidth=4))
    seg_label = labels['segment_label']
    looped = f_r + sampler.span(pace, segment) > num_frames
    head = title or ''
    text = (f'{head}VSPP clip: K={sampler.clip_len}, Z={sampler.num_segments}'
            f', λ={pace}, ζ={segment}  ->  pace_label={labels["pace_label"]}'
            f', segment_label={seg_label}'
            f'{" (λ=1: none altered, ignored)" if pace == 1 else ""}\n'
            f'f_r={f_r}, I_b={i_b}, I_e={i_e} (Eq. 4); '
            f'video of {num_frames} frames'
            f'{"; span too long: looped" if looped else ""}')
    fig.suptitle(text, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('video')
    parser.add_argument(
        '--out', default=osp.join('work_dirs', 'vspp_clip.png'),
        help='the PNG to write (default: work_dirs/vspp_clip.png)')
    parser.add_argument('--config', help='take the sampler from this config')
    parser.add_argument('--pace', type=int, help='force λ')
    parser.add_argument('--segment', type=int, help='force ζ (1-based)')
    parser.add_argument('--start', type=int, help='force f_r (0-based)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cols', type=int, default=8)
    args = parser.parse_args(argv)
    cfg = find_sampler(args.config) if args.config else dict(
        type='SegmentPaceSampler')
    sampler = TRANSFORMS.build(cfg)
    frames, inds, labels, n = sample(
        args.video, sampler, np.random.default_rng(args.seed), args.pace,
        args.segment, args.start)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    render(frames, inds, labels, sampler, args.out, n, cols=args.cols,
           title=f'{osp.basename(args.video)}: ')
    print(f'{args.out}: frames {inds.tolist()}, labels {labels}')


if __name__ == '__main__':
    main()

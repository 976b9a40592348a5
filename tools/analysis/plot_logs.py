"""Plot training curves from mmengine logs (losses, accuracies) to a PNG.

    python tools/analysis/plot_logs.py RUN [RUN ...] [--keys loss acc/top1]
        [--legend NAME ...] [--out curves.png] [--title TEXT]

A RUN is a work dir (all its ``<timestamp>/vis_data/scalars.json`` are read
in time order, so resumed runs join up), a timestamp dir, or a
``scalars.json`` file (one JSON dict per line, written by mmengine's
``LocalVisBackend``). Each key gets its own panel with one line per run,
against the training iteration: validation results (logged per epoch) are
placed at the last iteration of their epoch. Without ``--keys``, every loss
and accuracy key that the runs log is plotted.
"""
import argparse
import glob
import json
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

SKIP = ('lr', 'time', 'data_time', 'memory', 'epoch', 'iter', 'step',
        'grad_norm')


def find_scalars(run):
    """The ``scalars.json`` files of a run, oldest first."""
    if osp.isfile(run):
        return [run]
    direct = osp.join(run, 'vis_data', 'scalars.json')
    if osp.isfile(direct):
        return [direct]
    files = sorted(glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no scalars.json in {run} (expected '
                                '<work_dir>/<timestamp>/vis_data/)')
    return files


def load_run(run):
    """``{key: (iterations, values)}`` of a run.

    Training records carry ``iter`` (and ``epoch`` in epoch-based runs);
    validation records only ``step``, the epoch in epoch-based runs and the
    iteration otherwise. A value logged again at the same iteration (a
    resumed run) replaces the earlier one.
    """
    records = []
    for path in find_scalars(run):
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    epoch_end = {}
    for rec in records:
        if 'iter' in rec and 'epoch' in rec:
            epoch_end[rec['epoch']] = max(epoch_end.get(rec['epoch'], 0),
                                          rec['iter'])
    series = {}
    for rec in records:
        if 'iter' in rec:
            x = rec['iter']
        elif epoch_end:
            x = epoch_end.get(rec.get('step'), None)
            if x is None:  # validation of an epoch with no training record
                continue
        else:
            x = rec.get('step')
        for key, value in rec.items():
            if key not in SKIP and isinstance(value, (int, float)):
                series.setdefault(key, {})[x] = value
    return {k: tuple(zip(*sorted(v.items()))) for k, v in series.items()}


def default_keys(runs):
    keys = sorted({k for run in runs for k in run})
    wanted = [k for k in keys if 'loss' in k or 'acc' in k or 'R@' in k]
    return wanted or keys


def plot(runs, names, keys, out, title=None):
    """Draw one panel per key, a line per run; save to ``out``.

    Returns:
        dict: ``{key: [names of the runs drawn in its panel]}``.
    """
    cols = min(len(keys), 2)
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 3.6 * rows),
                             squeeze=False)
    drawn = {}
    for ax, key in zip(axes.flat, keys):
        for run, name in zip(runs, names):
            if key in run:
                drawn.setdefault(key, []).append(name)
                xs, ys = run[key]
                ax.plot(xs, ys, marker='o' if len(xs) < 30 else None,
                        markersize=3, label=name)
        ax.set_title(key)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        ax.legend(fontsize='small')
    for ax in list(axes.flat)[len(keys):]:
        ax.axis('off')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    print(f'saved {out} ({", ".join(keys)})')
    return drawn


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('runs', nargs='+',
                        help='work dirs, timestamp dirs or scalars.json files')
    parser.add_argument('--keys', nargs='+', help='scalars to plot')
    parser.add_argument('--legend', nargs='+', help='a name per run')
    parser.add_argument('--out', default='curves.png', help='PNG file')
    parser.add_argument('--title')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    names = args.legend or [osp.basename(osp.normpath(r)) for r in args.runs]
    if len(names) != len(args.runs):
        raise ValueError(
            f'{len(names)} legend names for {len(args.runs)} runs')
    runs = [load_run(r) for r in args.runs]
    keys = args.keys or default_keys(runs)
    unknown = [k for k in keys if not any(k in run for run in runs)]
    if unknown:
        available = sorted({k for run in runs for k in run})
        raise KeyError(f'no run logs {unknown}; available: {available}')
    return plot(runs, names, keys, args.out, args.title)


if __name__ == '__main__':
    main()

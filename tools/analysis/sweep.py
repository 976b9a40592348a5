"""Choose a recipe on held-out data: train a config over a grid, compare.

    python tools/analysis/sweep.py CONFIG --grid KEY=V1,V2 [KEY=V1,V2 ...]
        [--seeds 0 1] [--pretrained CKPT] [--knn-val KNN_CONFIG]
        [--jobs N] [--work-dir D] [--cfg-options k=v ...]

Every combination of the grid's values and every seed is one run of
``tools/train.py CONFIG --cfg-options KEY=V ...`` (``--jobs`` side by
side). The config's own validation is what is compared: a pretext config's
held-out task accuracy (``pretext/acc_*``, see ``pretext_val`` in
mmauxskd.cfg) or a finetuning config's validation split
top-1 (``acc/top1``), never the test split. ``--knn-val`` adds a kNN
readout of each run's backbone with that config (its test loader pointed at
the validation list given by ``--knn-val-list``). Prints a table of the
mean over seeds per combination, one loud line per run whose last
validation found every held-out pretext task at chance (within two
binomial SDs, mmauxskd.evaluation.chance), and writes ``sweep.json`` in
the work dir.
docs/small_data.md#choosing-the-demo-recipes shows it in use.
"""
import argparse
import itertools
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_grid(items):
    grid = []
    for item in items:
        key, _, values = item.partition('=')
        if not key or not values:
            raise SystemExit(f'--grid wants KEY=V1,V2,..., got {item!r}')
        grid.append((key, values.split(',')))
    return grid


def last_val_metrics(work_dir, counts=False):
    """The last validation scalars mmengine logged in ``work_dir`` (with
    ``counts``, the integer ones too: sample counts, the step)."""
    found = {}
    for path, _, files in os.walk(work_dir):
        if 'scalars.json' not in files:
            continue
        with open(osp.join(path, 'scalars.json')) as f:
            for line in f:
                row = json.loads(line)
                if 'lr' not in row:  # training rows carry the lr
                    found.update(row)
    return {k: v for k, v in found.items()
            if (isinstance(v, float) or counts and isinstance(v, int)
                and not isinstance(v, bool))
            and k not in ('time', 'data_time')}


def stalled_lines(runs):
    """The loud line of each run (``{(name, seed): work_dir}``) whose last
    validation found every held-out pretext task at chance
    (:func:`mmauxskd.evaluation.did_not_learn_line`)."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from mmauxskd.evaluation.chance import did_not_learn_line, stage_findings
    lines = []
    for (name, seed), work in runs.items():
        line = did_not_learn_line(
            f'{name} seed {seed}',
            stage_findings(last_val_metrics(work, counts=True)))
        if line:
            lines.append(line)
    return lines


def launch(cmd, log):
    handle = open(log, 'w')
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=handle,
                            stderr=subprocess.STDOUT)
    return proc, handle


def run_all(commands, jobs):
    """Run ``[(name, cmd, log), ...]`` ``jobs`` at a time; names failed."""
    pending, running, failed = list(commands), [], []
    while pending or running:
        while pending and len(running) < jobs:
            name, cmd, log = pending.pop(0)
            running.append((name, log) + launch(cmd, log))
        time.sleep(0.5)
        for item in list(running):
            name, log, proc, handle = item
            if proc.poll() is not None:
                handle.close()
                running.remove(item)
                if proc.returncode:
                    failed.append(name)
                    print(f'  {name}: failed, see {log}', flush=True)
                else:
                    print(f'  {name}: done', flush=True)
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('config')
    parser.add_argument('--grid', nargs='+', default=[])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--pretrained')
    parser.add_argument('--knn-val', help='a configs/knn/* config')
    parser.add_argument('--knn-val-list',
                        default='data/demo/demo_val_list_videos.txt')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--work-dir', default='work_dirs/sweep')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args(argv)
    grid = parse_grid(args.grid)
    combos = list(itertools.product(*[values for _, values in grid])) or [()]
    runs = {}
    for combo in combos:
        for seed in args.seeds:
            name = ','.join(f'{k.split(".")[-1]}={v}' for (k, _), v in
                            zip(grid, combo)) or 'config'
            work = osp.abspath(osp.join(args.work_dir, f'{name}_seed{seed}'))
            opts = [f'{k}={v}' for (k, _), v in zip(grid, combo)]
            cmd = [sys.executable, 'tools/train.py', args.config,
                   '--work-dir', work, '--seed', str(seed)]
            if args.pretrained:
                cmd += ['--pretrained', args.pretrained]
            if opts or args.cfg_options:
                cmd += ['--cfg-options'] + opts + list(args.cfg_options)
            os.makedirs(work, exist_ok=True)
            runs[(name, seed)] = (work, cmd)
    print(f'{len(runs)} runs of {args.config}', flush=True)
    run_all([(f'{n} seed {s}', cmd, osp.join(work, 'sweep.log'))
             for (n, s), (work, cmd) in runs.items()], args.jobs)
    if args.knn_val:
        knn = []
        for (name, seed), (work, _) in runs.items():
            last = osp.join(work, 'last_checkpoint')
            if not osp.exists(last):
                continue
            with open(last) as f:
                ckpt = f.read().strip()
            knn.append((f'{name} seed {seed} kNN', [
                sys.executable, 'tools/analysis/retrieval.py', args.knn_val,
                ckpt, '--no-progress', '--out', osp.join(work, 'knn.json'),
                '--cfg-options',
                f'test_dataloader.dataset.ann_file={args.knn_val_list}'],
                osp.join(work, 'knn.log')))
        run_all(knn, args.jobs)
    table = {}
    for (name, seed), (work, _) in runs.items():
        metrics = last_val_metrics(work)
        if osp.exists(osp.join(work, 'knn.json')):
            with open(osp.join(work, 'knn.json')) as f:
                metrics['knn_val/top1'] = json.load(f)['knn/top1']
        table.setdefault(name, {})[seed] = metrics
    keys = sorted({k for per_seed in table.values()
                   for m in per_seed.values() for k in m})
    print(f'\n{"variant":<40}' + ''.join(f'{k:>22}' for k in keys))
    for name, per_seed in table.items():
        cells = []
        for key in keys:
            values = [m[key] for m in per_seed.values() if key in m]
            cells.append(f'{np.mean(values):.3f} +- {np.std(values):.3f}'
                         if values else '-')
        print(f'{name:<40}' + ''.join(f'{c:>22}' for c in cells))
    for line in stalled_lines({key: work for key, (work, _) in
                               runs.items()}):
        print(line)
    with open(osp.join(args.work_dir, 'sweep.json'), 'w') as f:
        json.dump({n: {str(s): m for s, m in v.items()}
                   for n, v in table.items()}, f, indent=2)
    return table


if __name__ == '__main__':
    main()

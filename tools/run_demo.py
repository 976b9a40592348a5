"""The main job on the bundled demo data, end to end.

Generates the demo videos (if missing), then for each arm runs its pretext
stages (each initialised from the previous stage's backbone), finetunes the
stock Recognizer3D with the same budget, runs the paper's 10-clip test on
the last checkpoint, and prints the top-1 of every arm side by side.

    python tools/run_demo.py [--arms scratch vspp auxskd_vspp] [--work-dir D]
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA = osp.join(ROOT, 'data', 'demo')
FINETUNE = 'configs/finetune/r2plus1d-r10_1xb8-16x1x1-30e_demo-rgb.py'

# arm -> (description, pretext configs run in order, each initialising the
# next stage from its backbone)
ARMS = {
    'scratch': ('from scratch', []),
    'vspp': ('VSPP, then finetune',
             ['configs/vspp/vspp_r2plus1d-r10_1xb8-16x1x1-20e_demo-rgb.py']),
    'auxskd_vspp': ('auxSKD, then VSPP, then finetune',
                    ['configs/auxskd/r2plus1d_demo.py',
                     'configs/vspp/vspp_r2plus1d-r10_1xb8-16x1x1-20e_demo-rgb.py']),
}


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def run(args, log):
    """Run a tool with this interpreter, its output to ``log``."""
    cmd = [sys.executable] + args
    print('  $', ' '.join(osp.relpath(a, ROOT) if osp.isabs(a) else a
                          for a in cmd[1:]), flush=True)
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'failed ({proc.returncode}), see {log}:\n{tail}')
    with open(log) as f:
        return f.read()


def run_arm(name, work_root, seed):
    """Pretext stages, finetuning and the 10-clip test of one arm."""
    desc, stages = ARMS[name]
    print(f'[{name}] {desc}', flush=True)
    pretrained = None
    for i, config in enumerate(stages):
        work = osp.join(work_root, name, f'stage{i}')
        extra = ['--pretrained', pretrained] if pretrained else []
        run(['tools/train.py', config, '--work-dir', work, '--seed',
             str(seed)] + extra, osp.join(work_root, f'{name}_stage{i}.log'))
        pretrained = last_checkpoint(work)
    work = osp.join(work_root, name, 'finetune')
    extra = ['--pretrained', pretrained] if pretrained else []
    run(['tools/train.py', FINETUNE, '--work-dir', work, '--seed', str(seed),
         '--no-validate'] + extra, osp.join(work_root, f'{name}_ft.log'))
    out = run(['tools/test.py', FINETUNE, last_checkpoint(work), '--work-dir',
               osp.join(work_root, name, 'test')],
              osp.join(work_root, f'{name}_test.log'))
    top1 = float(re.findall(r'acc/top1: ([0-9.]+)', out)[-1])
    print(f'[{name}] 10-clip top-1: {top1:.4f}', flush=True)
    return top1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--arms', nargs='+', default=list(ARMS),
                        choices=list(ARMS))
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs',
                                                       'demo'))
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    if not osp.exists(osp.join(DATA, 'demo_test_list_videos.txt')):
        run(['tools/data/make_demo_data.py', '--out', DATA],
            osp.join(args.work_dir, 'make_demo_data.log'))
    start = time.time()
    results = {arm: run_arm(arm, args.work_dir, args.seed)
               for arm in args.arms}
    print(f'\nDemo results (10-clip top-1 on {DATA}/demo_test_list_videos.txt,'
          f' 4 classes, chance 0.25; {time.time() - start:.0f} s):')
    for arm, top1 in results.items():
        print(f'  {arm:<14} {ARMS[arm][0]:<40} top-1 = {top1:.4f}')


if __name__ == '__main__':
    main()

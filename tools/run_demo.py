"""The main job on the bundled demo data, end to end.

Generates the demo videos (if missing), then for each arm runs its pretext
stages (each initialised from the previous stage's backbone), finetunes the
stock Recognizer3D with the same budget, runs the paper's 10-clip test on
the last checkpoint, and prints the top-1 of every arm side by side.

    python tools/run_demo.py [--arms scratch vspp auxskd_vspp] [--work-dir D]

The default arms are VSPP's (README command 1). The pretexts auxSKD is
shown to improve (paper §4.3) have an arm each, alone and with auxSKD
trained on their own sampling: ``--arms videopace auxskd_videopace vcop
auxskd_vcop rspnet auxskd_rspnet`` (``--arms all`` for every arm).
``--data`` and ``--cfg-options`` point the same chain at other (e.g. tiny)
data; the tests run it that way.
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
FINETUNE = 'configs/finetune/r2plus1d-r10_1xb8-16x1x1-100e_demo-rgb.py'
VSPP = 'configs/vspp/vspp_r2plus1d-r10_1xb8-16x1x1-20e_demo-rgb.py'
PRETEXTS = dict(
    videopace=('VideoPace', 'configs/videopace/'
               'videopace_r2plus1d-r10_1xb8-16x1x1-20e_demo-rgb.py'),
    vcop=('VCOP', 'configs/vcop/vcop_r2plus1d-r10_1xb8-3x16x8-20e_demo-rgb.py'),
    rspnet=('RSPNet',
            'configs/rspnet/rspnet_r2plus1d-r10_1xb8-3x16-6e_demo-rgb.py'))

# arm -> (description, pretext configs run in order, each initialising the
# next stage from its backbone)
ARMS = {
    'scratch': ('from scratch', []),
    'vspp': ('VSPP, then finetune', [VSPP]),
    'auxskd_vspp': ('auxSKD, then VSPP, then finetune',
                    ['configs/auxskd/r2plus1d_demo.py', VSPP]),
}
for _key, (_name, _config) in PRETEXTS.items():  # paper §4.3: X, auxSKD + X
    ARMS[_key] = (f'{_name}, then finetune', [_config])
    ARMS[f'auxskd_{_key}'] = (
        f'auxSKD ({_name} sampling), then {_name}, then finetune',
        [f'configs/auxskd/r2plus1d_demo_{_key}.py', _config])
DEFAULT_ARMS = ['scratch', 'vspp', 'auxskd_vspp']


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


def data_options(data, train_list, loaders=('train', )):
    """``--cfg-options`` pointing a demo config's loaders at ``data``.

    ``train_list``: the training loader's list (``unlabelled`` for a
    pretext, ``train`` for finetuning); the test loader reads the test
    list.
    """
    if osp.abspath(data) == DATA:
        return []
    opts = []
    for loader in loaders:
        name = train_list if loader == 'train' else 'test'
        opts += [f'{loader}_dataloader.dataset.ann_file='
                 f'{osp.join(data, f"demo_{name}_list_videos.txt")}',
                 f'{loader}_dataloader.dataset.data_prefix.video='
                 f'{osp.join(data, "videos")}']
    return opts


def run_arm(name, work_root, seed, data=DATA, cfg_options=()):
    """Pretext stages, finetuning and the 10-clip test of one arm.

    Returns ``(top-1, [checkpoint of each stage])``; ``cfg_options`` go to
    every stage, after the ones that point it at ``data``.
    """
    desc, stages = ARMS[name]
    print(f'[{name}] {desc}', flush=True)

    def options(train_list, loaders=('train', )):
        opts = data_options(data, train_list, loaders) + list(cfg_options)
        return ['--cfg-options'] + opts if opts else []

    checkpoints = []
    for i, config in enumerate(stages):
        work = osp.join(work_root, name, f'stage{i}')
        extra = ['--pretrained', checkpoints[-1]] if checkpoints else []
        run(['tools/train.py', config, '--work-dir', work, '--seed',
             str(seed)] + extra + options('unlabelled'),
            osp.join(work_root, f'{name}_stage{i}.log'))
        checkpoints.append(last_checkpoint(work))
    work = osp.join(work_root, name, 'finetune')
    extra = ['--pretrained', checkpoints[-1]] if checkpoints else []
    run(['tools/train.py', FINETUNE, '--work-dir', work, '--seed', str(seed),
         '--no-validate'] + extra + options('train'),
        osp.join(work_root, f'{name}_ft.log'))
    checkpoints.append(last_checkpoint(work))
    out = run(['tools/test.py', FINETUNE, checkpoints[-1], '--work-dir',
               osp.join(work_root, name, 'test')] + options('train', ('test', )),
              osp.join(work_root, f'{name}_test.log'))
    top1 = float(re.findall(r'acc/top1: ([0-9.]+)', out)[-1])
    print(f'[{name}] 10-clip top-1: {top1:.4f}', flush=True)
    return top1, checkpoints


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--arms', nargs='+', default=DEFAULT_ARMS,
                        choices=list(ARMS) + ['all'],
                        help=f'default: {" ".join(DEFAULT_ARMS)}')
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs',
                                                       'demo'))
    parser.add_argument('--data', default=DATA,
                        help='demo data folder (generated if missing)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides for every stage')
    args = parser.parse_args(argv)
    arms = list(ARMS) if 'all' in args.arms else args.arms
    data = osp.abspath(args.data)
    os.makedirs(args.work_dir, exist_ok=True)
    if not osp.exists(osp.join(data, 'demo_test_list_videos.txt')):
        run(['tools/data/make_demo_data.py', '--out', data],
            osp.join(args.work_dir, 'make_demo_data.log'))
    start = time.time()
    results = {arm: run_arm(arm, args.work_dir, args.seed, data,
                            args.cfg_options)[0] for arm in arms}
    print(f'\nDemo results (10-clip top-1 on {data}/demo_test_list_videos.txt,'
          f' 4 classes, chance 0.25; {time.time() - start:.0f} s):')
    for arm, top1 in results.items():
        print(f'  {arm:<18} {ARMS[arm][0]:<52} top-1 = {top1:.4f}')
    return results


if __name__ == '__main__':
    main()

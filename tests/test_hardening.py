"""What a user trips on: launch interpreter, CUDA install, OpenCV, messages,
files written, bf16 AMP."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from importlib import metadata

import pytest

from conftest import ROOT, demo_overrides, load_tool, run_tool, write_config


# ------------------------------------------------ tools/dist_launch.sh --

def _fake_python(folder, name):
    """An executable ``folder/name`` that records how it was called."""
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, name)
    with open(path, 'w') as f:
        f.write(f'#!/bin/sh\necho "{name} $*" >> "$CALLS"\n')
    os.chmod(path, 0o755)
    return path


def _launch(tmp_path, **env):
    """dist_launch.sh with a PATH holding only a fake python3 and the
    commands the script uses (no `python`)."""
    bin_dir = str(tmp_path / 'bin')
    _fake_python(bin_dir, 'python3')
    if not osp.exists(osp.join(bin_dir, 'dirname')):
        os.symlink(shutil.which('dirname'), osp.join(bin_dir, 'dirname'))
    calls = str(tmp_path / 'calls')
    full = dict(PATH=bin_dir, CALLS=calls, HOME=str(tmp_path), **env)
    proc = subprocess.run(
        [shutil.which('bash'), osp.join(ROOT, 'tools', 'dist_launch.sh'),
         'train.py', '2', 'CONFIG'], env=full, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(calls) as f:
        return f.read().split()


def test_dist_launch_defaults_to_python3(tmp_path):
    call = _launch(tmp_path)
    assert call[:3] == ['python3', '-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in call and call[-2:] == ['--launcher',
                                                         'pytorch']


def test_dist_launch_prefers_the_active_venv_and_PYTHON(tmp_path):
    venv = tmp_path / 'venv'
    _fake_python(str(venv / 'bin'), 'python')
    assert _launch(tmp_path, VIRTUAL_ENV=str(venv))[0] == 'python'
    os.remove(tmp_path / 'calls')
    _fake_python(str(tmp_path / 'other'), 'mypython')
    assert _launch(tmp_path, VIRTUAL_ENV=str(venv),
                   PYTHON=str(tmp_path / 'other' / 'mypython'))[0] == \
        'mypython'


# ---------------------------------------------- tools/setup_env.sh --cuda --

def _setup_env(*args, **env):
    return subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'setup_env.sh'), *args],
        capture_output=True, text=True, env=dict(os.environ, **env))


def test_setup_env_cuda_keeps_the_installed_torch(tmp_path):
    """--cuda on this environment (its torch stands in for a CUDA build):
    pip, really run but with --dry-run and no index, would install only
    mmauxskd; requirements/cpu.txt is not used."""
    torch_before = metadata.version('torch')
    report = str(tmp_path / 'report.json')
    proc = _setup_env('--cuda', sys.prefix, PIP_NO_INDEX='1', PIP_DRY_RUN='1',
                      PIP_NO_BUILD_ISOLATION='0', PIP_REPORT=report)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'cpu.txt' not in proc.stdout
    assert f'torch=={torch_before}' in proc.stdout  # the pip constraint
    with open(report) as f:
        names = [i['metadata']['name'] for i in json.load(f)['install']]
    assert names == ['mmauxskd']
    assert metadata.version('torch') == torch_before


def test_setup_env_cuda_without_torch_installs_nothing(tmp_path):
    venv = tmp_path / 'venv'  # a "venv" whose python has no torch
    (venv / 'bin').mkdir(parents=True)
    os.symlink(shutil.which('python3', path='/usr/bin:/bin'),
               venv / 'bin' / 'python')
    probe = subprocess.run([str(venv / 'bin' / 'python'), '-c',
                            'import torch'], capture_output=True)
    if probe.returncode == 0:
        pytest.skip('the system python has torch')
    proc = _setup_env('--cuda', str(venv))
    assert proc.returncode == 1
    assert 'Install the torch build for your CUDA' in proc.stderr
    assert '+ ' not in proc.stdout  # no command was run


def test_setup_env_default_is_the_cpu_stack():
    proc = _setup_env('--dry-run', sys.prefix)
    assert proc.returncode == 0, proc.stderr
    assert 'requirements/cpu.txt' in proc.stdout


# ------------------------------------------------------------- OpenCV --

def _opencv(requires):
    return {r.split(';')[0].split('>')[0].split('=')[0].split('<')[0].strip()
            for r in requires or []
            if r.lower().startswith('opencv') and 'extra ==' not in r}


def test_we_declare_only_the_opencv_our_dependencies_require():
    from conftest import setup_kwargs
    ours = _opencv(setup_kwargs()['install_requires'])
    theirs = {d: _opencv(metadata.requires(d))
              for d in ('mmengine', 'mmcv-lite', 'mmaction2')}
    # opencv-python, which mmengine and mmcv-lite require, and, on behalf
    # of mmaction2 (installed with --no-deps, docs/compatibility.md), its
    # contrib build: no distribution of our own
    assert ours == theirs['mmengine'] | theirs['mmcv-lite'] | theirs[
        'mmaction2'] == {'opencv-python', 'opencv-contrib-python'}
    assert theirs['mmaction2'] == {'opencv-contrib-python'}


# ----------------------------------------------------------- messages --

@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_missing_config_is_one_line_not_a_traceback(tool):
    args = [f'tools/{tool}', 'configs/no_such_config.py']
    if tool == 'test.py':
        args.append('ckpt.pth')
    proc = run_tool(args, check=False, timeout=120)
    assert proc.returncode != 0
    assert 'config not found: configs/no_such_config.py' in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_visualize_vspp_writes_under_work_dirs_by_default(
        tiny_data, tmp_path, monkeypatch):
    video = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                      '*.mp4')))[0]
    monkeypatch.chdir(tmp_path)
    load_tool('visualize_vspp.py').main([video, '--pace', '2'])
    assert sorted(os.listdir(tmp_path)) == ['work_dirs']
    assert os.listdir(tmp_path / 'work_dirs') == ['vspp_clip.png']


# --------------------------------------------------------------- bf16 --

def test_amp_dtype_folds_into_the_optim_wrapper():
    tool = load_tool('train.py')
    from mmengine.config import Config
    cfg = osp.join(ROOT, 'configs/finetune/'
                   'r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py')
    args = tool.parse_args([cfg, '--amp-dtype', 'bfloat16'])
    wrapper = tool.merge_args(Config.fromfile(cfg), args).optim_wrapper
    assert wrapper.type == 'AmpOptimWrapper' and wrapper.dtype == 'bfloat16'
    args = tool.parse_args([cfg, '--amp'])
    wrapper = tool.merge_args(Config.fromfile(cfg), args).optim_wrapper
    assert wrapper.type == 'AmpOptimWrapper' and 'dtype' not in wrapper


UNLABELLED = """
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_prefix=dict(video={videos!r}), ann_file={ann!r}))
"""

BF16 = {
    'finetune': ('configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py',
                 None),
    'vspp': ('configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py',
             UNLABELLED),
    'auxskd': ('configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py',
               UNLABELLED + 'model = dict(queue_size=8)\n'),
}


@pytest.mark.parametrize('arm', sorted(BF16))
def test_train_amp_bf16_runs(arm, tiny_data, tmp_path, monkeypatch):
    """tools/train.py --amp-dtype bfloat16, a few iterations on CPU.

    mmengine's AmpOptimWrapper asserts an accelerator; it is told there is
    one, so its CPU path (bf16 autocast, a disabled GradScaler) runs."""
    import mmengine.optim.optimizer.amp_optimizer_wrapper as amp
    monkeypatch.setattr(amp, 'is_cuda_available', lambda: True)
    base, body = BF16[arm]
    body = demo_overrides(tiny_data) if body is None else body.format(
        videos=osp.join(tiny_data, 'videos'),
        ann=osp.join(tiny_data, 'demo_unlabelled_list_videos.txt'))
    cfg = write_config(tmp_path, base, body)
    work = str(tmp_path / 'work')
    tool = load_tool('train.py')
    seen = []
    from mmengine.hooks import Hook

    class Probe(Hook):

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            seen.append((type(runner.optim_wrapper).__name__,
                         runner.optim_wrapper.cast_dtype,
                         float(outputs['loss'])))

    from mmengine.runner import Runner
    orig = Runner.from_cfg

    def from_cfg(cfg):
        runner = orig(cfg)
        runner.register_hook(Probe())
        return runner

    monkeypatch.setattr(Runner, 'from_cfg', from_cfg)
    import torch
    # oneDNN off: its bf16 kernels on this CPU turned the demo nets' loss
    # into NaN after 2-3 steps in about half the runs (fp32 never; an open
    # finding, docs/compatibility.md); PyTorch's own bf16 kernels did not
    monkeypatch.setattr(torch.backends.mkldnn, 'enabled', False)
    tool.main([cfg, '--amp-dtype', 'bfloat16', '--work-dir', work,
               '--no-validate', '--cfg-options', 'train_cfg.max_epochs=1'])
    assert len(seen) >= 2
    assert all(s[:2] == ('AmpOptimWrapper', torch.bfloat16) for s in seen)
    assert all(s[2] == s[2] and abs(s[2]) < 1e4 for s in seen), seen

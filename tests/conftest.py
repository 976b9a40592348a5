"""Shared fixtures: tiny real videos, and configs that inherit ours."""
import importlib.util
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))

import hide_modules  # noqa: E402

if os.environ.get(hide_modules.ENV):  # e.g. a run without decord
    hide_modules.hide(os.environ[hide_modules.ENV].split(','))

import mmauxskd  # noqa: E402,F401  (stack fixes before any mmaction import)
from mmengine.registry import init_default_scope  # noqa: E402

init_default_scope('mmaction')  # as the Runner does, for direct builds


@pytest.fixture(autouse=True)
def mmaction_scope():
    """Each test starts in the mmaction scope, whatever the last one left."""
    init_default_scope('mmaction')


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory):
    """Demo generator output at tiny size: mp4 videos, frames and lists.

    8 unlabelled, 8 train (2 per class), 4 test, 4 pretext_val and 4 val
    videos of 64x64 pixels,
    40 to 48 frames; raw frames too (decord misreads widths such as 48).
    """
    import make_demo_data
    out = str(tmp_path_factory.mktemp('tiny_demo'))
    make_demo_data.main([
        '--out', out, '--num-unlabelled', '8', '--num-train', '8',
        '--num-test', '4', '--num-pretext-val', '4', '--num-val', '4',
        '--size', '64', '--min-frames', '40',
        '--max-frames', '48', '--rawframes', '--seed', '1'
    ])
    return out


def write_config(folder, base, body='', name='tiny.py'):
    """A config file in ``folder`` inheriting ``base`` (relative to ROOT)."""
    path = osp.join(str(folder), name)
    with open(path, 'w') as f:
        f.write(f'_base_ = [{osp.join(ROOT, base)!r}]\n{body}\n')
    return path


def demo_overrides(data, train_list='train', test_list='test', batch=2):
    """Config text pointing the demo configs' loaders at ``tiny_data``."""
    return f"""
_root = {osp.join(data, 'videos')!r}
train_dataloader = dict(batch_size={batch}, num_workers=0,
    persistent_workers=False, dataset=dict(data_prefix=dict(video=_root),
    ann_file={osp.join(data, f'demo_{train_list}_list_videos.txt')!r}))
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_prefix=dict(video=_root),
    ann_file={osp.join(data, f'demo_{test_list}_list_videos.txt')!r}))
test_dataloader = dict(batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(data_prefix=dict(video=_root),
    ann_file={osp.join(data, f'demo_{test_list}_list_videos.txt')!r}))
"""


def load_tool(relpath):
    """A ``tools/`` script as a module, without running its ``main``:
    ``load_tool('train.py')``, ``load_tool('analysis/retrieval.py')``."""
    name = '_tool_' + osp.splitext(relpath)[0].replace('/', '_')
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_tool(args, timeout=600, env=None, check=True):
    """Run a tools/ script with this interpreter; returns CompletedProcess."""
    full_env = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1')
    full_env.update(env or {})
    cmd = args if args[0] == 'bash' else [sys.executable] + args
    proc = subprocess.run(
        cmd, cwd=ROOT, env=full_env, capture_output=True, text=True,
        timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{cmd} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}')
    return proc


def setup_kwargs():
    """setup.py's ``setup()`` keywords (``install_requires``, ...), read by
    running it with ``setuptools.setup`` replaced: nothing is built, and
    the answer is the source's, not an older install's metadata."""
    import runpy
    from unittest import mock

    import setuptools
    kwargs = {}
    with mock.patch.object(setuptools, 'setup', kwargs.update):
        runpy.run_path(osp.join(ROOT, 'setup.py'), run_name='__main__')
    return kwargs

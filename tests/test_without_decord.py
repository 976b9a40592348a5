"""Without decord (optional: ``pip install -e .[decord]``) the package
imports, the demo configs build and decode, the data tools run, and a
decord pipeline fails when it is built, in one line saying how to install
decord.

decord is hidden in a fresh interpreter (``tests/hide_modules.py``: a
``sys.meta_path`` finder answering ``ModuleNotFoundError``), so this holds
on a machine that has it installed too. The whole suite can be run the
same way: ``MMAUXSKD_TEST_HIDE=decord python -m pytest tests``.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

from conftest import ROOT

DEMO_CONFIGS = sorted(p for p in glob.glob(
    osp.join(ROOT, 'configs', '**', '*_demo-rgb.py'), recursive=True)
    if '_base_' not in p)

SCRIPT = r'''
import glob, json, os.path as osp, sys
import hide_modules
finder = hide_modules.hide(['decord'])
data, work, configs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {}

import mmauxskd  # noqa: F401
from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope
from mmauxskd.cfg import loader_datasets, set_decoder, transforms_of
import test_configs
out['asked_at_import'] = list(finder.asked)
init_default_scope('mmaction')

# every demo config: each loader's dataset built, one sample decoded
out['samples'] = {}
for path in configs:
    cfg = test_configs.tiny(Config.fromfile(path), data, work)
    for split, dataset in loader_datasets(cfg):
        inits = [t['type'] for t in transforms_of(dataset['pipeline'])
                 if t['type'].endswith('Init')]
        sample = DATASETS.build(dataset)[0]
        out['samples'][f'{osp.basename(path)}:{split}'] = dict(
            inits=inits, shape=list(sample['inputs'].shape))

def error_of(fn):
    try:
        fn()
    except ImportError as err:
        return str(err)
    return None

# a config naming decord fails when its dataset is built, not in a worker
decord_pipeline = [dict(type='DecordInit'),
                   dict(type='SampleFrames', clip_len=4),
                   dict(type='DecordDecode')]
video = sorted(glob.glob(osp.join(data, 'videos', 'train', '*.mp4')))[0]
out['dataset_error'] = error_of(lambda: DATASETS.build(dict(
    type='RobustVideoDataset', ann_file=osp.join(
        data, 'demo_train_list_videos.txt'),
    data_prefix=dict(video=osp.join(data, 'videos')),
    pipeline=decord_pipeline)))
out['set_decoder_error'] = error_of(
    lambda: set_decoder(decord_pipeline, 'decord'))

# the data tools decode with PyAV
import check_integrity, extract_frames
ok = extract_frames.main([osp.dirname(video), osp.join(work, 'frames'),
                          '--workers', '1', '--no-progress'])
out['extracted'] = sorted({status for _, status, _, _ in ok})
lst = osp.join(work, 'list.txt')
with open(lst, 'w') as f:
    f.write(osp.basename(video) + ' 0\n')
out['integrity'] = check_integrity.main([lst, osp.dirname(video),
                                         '--workers', '1', '--no-progress'])
try:
    check_integrity.main([lst, osp.dirname(video), '--decoder', 'decord'])
except SystemExit as exit:
    out['tool_decord_exit'] = exit.code
out['decord_loaded'] = 'decord' in sys.modules
print('@@' + json.dumps(out))
'''


def test_demo_configs_and_tools_work_without_decord(tiny_data, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, osp.join(ROOT, 'tests'), osp.join(ROOT, 'tools', 'data')]))
    proc = subprocess.run(
        [sys.executable, '-c', SCRIPT, tiny_data, str(tmp_path),
         json.dumps(DEMO_CONFIGS)], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    line, = [x for x in proc.stdout.splitlines() if x.startswith('@@')]
    out = json.loads(line[2:])
    assert out['asked_at_import'] == []  # nothing imports it on import
    assert not out['decord_loaded']
    # every demo config, every loader: PyAV, and a decoded clip
    assert len(DEMO_CONFIGS) >= 10
    assert {key.split(':')[0] for key in out['samples']} == {
        osp.basename(p) for p in DEMO_CONFIGS}
    for key, sample in out['samples'].items():
        assert sample['inits'] == ['PyAVSeekInit'], key
        assert sample['shape'][-2:] == [32, 32], key  # C, T, 32, 32 crops
    # decord named without decord: one line, the install command
    for key in ('dataset_error', 'set_decoder_error'):
        message = out[key]
        assert message and '\n' not in message, (key, message)
        assert 'needs decord, which is not installed: pip install -e ' \
            '.[decord]' in message, message
    assert 'RobustVideoDataset pipeline (DecordInit)' in out['dataset_error']
    assert out['extracted'] == ['done'] and out['integrity'] == 0
    assert out['tool_decord_exit'] == 2  # argparse's usage error
    assert 'pip install -e .[decord]' in proc.stderr

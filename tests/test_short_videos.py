"""Videos shorter than a pretext sampler's span are reported ("too short:
N frames, needs M"): skipped where the labels would be meaningless (VSPP's
pace and segment), kept otherwise; the demo's videos are never affected."""
import glob
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmaction.registry import DATASETS, TRANSFORMS

from conftest import ROOT

from mmauxskd.cfg import transforms_of
from mmauxskd.datasets import BrokenVideoError
from mmauxskd.datasets.robust import read_bad_samples
from mmauxskd.datasets.transforms.base_sampler import BasePretextSampler

VSPP = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'
VCOP = 'configs/vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py'


@pytest.fixture(scope='module')
def short_data(tiny_data, tmp_path_factory):
    """A list of one 5-frame video and two demo videos (40 to 48 frames)."""
    import make_demo_data
    root = str(tmp_path_factory.mktemp('short'))
    os.makedirs(osp.join(root, 'v'))
    make_demo_data.write_mp4(osp.join(root, 'v', 'short.mp4'),
                             make_demo_data.render_video(
                                 np.random.default_rng(0), 5, 64))
    good = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                     '*.mp4')))[:2]
    for path in good:
        os.symlink(path, osp.join(root, 'v', osp.basename(path)))
    with open(osp.join(root, 'list.txt'), 'w') as f:
        f.write('short.mp4 -1\n' + ''.join(
            f'{osp.basename(p)} -1\n' for p in good))
    return root


def _dataset(config, root, tmp_path, test_mode=False):
    cfg = Config.fromfile(osp.join(ROOT, config))
    spec = cfg.train_dataloader.dataset
    spec.update(ann_file=osp.join(root, 'list.txt'),
                data_prefix=dict(video=osp.join(root, 'v')),
                test_mode=test_mode)
    dataset = DATASETS.build(spec)
    dataset.bad_sample_file = str(tmp_path / 'broken_samples.jsonl')
    return dataset


def _records(dataset):
    if not osp.exists(dataset.bad_sample_file):
        return []
    with open(dataset.bad_sample_file) as f:
        return [json.loads(line) for line in f]


def test_vspp_skips_a_video_shorter_than_a_clip(short_data, tmp_path):
    dataset = _dataset(VSPP, short_data, tmp_path)
    short = osp.join(short_data, 'v', 'short.mp4')
    for _ in range(3):  # drawn again: logged and listed once
        assert dataset[0] is not None  # another video in its place
    assert _records(dataset) == [dict(
        path=short, reason='too short: 5 frames, needs 16', skipped=True)]
    assert read_bad_samples(dataset.bad_sample_file, skipped=True) == {
        short: 'too short: 5 frames, needs 16'}
    assert dataset[1] is not None and len(_records(dataset)) == 1
    # at test time (held-out pretext evaluation) it is an error naming it
    dataset = _dataset(VSPP, short_data, tmp_path, test_mode=True)
    with pytest.raises(BrokenVideoError, match='short.mp4 is too short: 5 '
                       'frames, needs 16'):
        dataset[0]


def test_vcop_keeps_a_short_video_and_reports_it(short_data, tmp_path):
    dataset = _dataset(VCOP, short_data, tmp_path)
    short = osp.join(short_data, 'v', 'short.mp4')
    sample = dataset[0]  # kept: the same video, its clips looping
    assert sample['inputs'].shape[0] == 3
    dataset[0]
    assert _records(dataset) == [dict(
        path=short, reason='too short: 5 frames, needs 48', skipped=False)]
    assert read_bad_samples(dataset.bad_sample_file, skipped=True) == {}


def test_sampler_outside_a_dataset_warns_or_raises():
    vspp = TRANSFORMS.build(dict(type='SegmentPaceSampler'))
    with pytest.raises(ValueError, match='too short: 5 frames, needs 16'):
        vspp.transform(dict(total_frames=5, start_index=0, filename='a'))
    vcop = TRANSFORMS.build(dict(type='ClipOrderSampler'))
    with pytest.warns(UserWarning, match='a.mp4: too short: 40 frames, '
                      'needs 48, kept'):
        vcop.transform(dict(total_frames=40, start_index=0,
                            filename='a.mp4'))
    # sample_indices (no pipeline) keeps its documented loop policy
    inds, _ = vspp.sample_indices(5, np.random.default_rng(0))
    assert inds.max() < 5


def _samplers(pipeline):
    for t in transforms_of(pipeline):
        for spec in (t, t.get('sampler')):
            if isinstance(spec, dict) and 'type' in spec:
                cls = TRANSFORMS.get(spec['type'])
                if isinstance(cls, type) and issubclass(
                        cls, BasePretextSampler):
                    yield TRANSFORMS.build(spec)


def test_demo_videos_are_never_skipped():
    """make_demo_data's videos have 40 to 64 frames: no demo sampler that
    skips short videos needs more, so the demo draws are unchanged."""
    configs = glob.glob(osp.join(ROOT, 'configs', '**', '*demo*.py'),
                        recursive=True)
    seen = 0
    for path in configs:
        cfg = Config.fromfile(path)
        if not cfg.get('train_dataloader'):
            continue
        for sampler in _samplers(cfg.train_dataloader.dataset.pipeline):
            seen += 1
            if sampler.skip_short_videos:
                assert sampler.min_frames <= 40, (path, sampler)
    assert seen >= 8


def test_report_hook_counts_skipped_and_kept_apart(tmp_path):
    from types import SimpleNamespace
    from mmengine.logging import MessageHub, MMLogger
    from mmauxskd.engine.hooks import BrokenVideoReportHook
    path = tmp_path / 'broken_samples.jsonl'
    path.write_text(
        json.dumps(dict(path='a.mp4', reason='KeyError: x')) + '\n' +
        json.dumps(dict(path='b.mp4', reason='too short: 5 frames, needs '
                        '16', skipped=True)) + '\n' +
        json.dumps(dict(path='c.mp4', reason='too short: 40 frames, needs '
                        '48', skipped=False)) + '\n')
    hub = MessageHub.get_instance('short_video_hook_test')
    runner = SimpleNamespace(message_hub=hub,
                             logger=MMLogger.get_instance('short_hook'))
    hook = BrokenVideoReportHook()
    hook.path = str(path)
    hook.after_train(runner)
    assert hub.get_info('train/broken_samples') == 2
    assert hub.get_info('train/short_videos_kept') == 1

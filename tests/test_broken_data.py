"""Broken files, bad configs and missing datasets fail (or not) as designed."""
import glob
import json
import os
import os.path as osp
import shutil

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import demo_overrides, write_config

from mmauxskd.datasets import BrokenVideoError
from mmauxskd.cfg import check_clip_geometry, update_pipeline

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'


def _broken_tree(data, folder):
    """Two good videos plus a missing, empty, truncated and non-video one."""
    videos = osp.join(folder, 'videos')
    os.makedirs(videos)
    good = sorted(glob.glob(osp.join(data, 'videos', 'train', '*.mp4')))[:2]
    for i, src in enumerate(good):
        shutil.copy(src, osp.join(videos, f'good{i}.mp4'))
    open(osp.join(videos, 'empty.mp4'), 'wb').close()
    with open(good[0], 'rb') as f:
        head = f.read()
    with open(osp.join(videos, 'truncated.mp4'), 'wb') as f:
        f.write(head[:len(head) // 2])
    with open(osp.join(videos, 'text.mp4'), 'w') as f:
        f.write('this is not a video\n' * 50)
    names = ['good0', 'missing', 'empty', 'good1', 'truncated', 'text']
    ann = osp.join(folder, 'list.txt')
    with open(ann, 'w') as f:
        f.write(''.join(f'{n}.mp4 {i % 4}\n' for i, n in enumerate(names)))
    bad = {osp.join(videos, n + '.mp4') for n in names if 'good' not in n}
    return videos, ann, bad


def _tiny_cfg(tmp_path, tiny_data, extra=''):
    path = write_config(tmp_path, DEMO, demo_overrides(tiny_data) + extra)
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.default_hooks.checkpoint = None
    return cfg


def test_broken_training_videos_are_skipped_logged_once_and_counted(
        tiny_data, tmp_path):
    videos, ann, bad = _broken_tree(tiny_data, str(tmp_path / 'data'))
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.train_dataloader.dataset.update(
        ann_file=ann, data_prefix=dict(video=videos))
    cfg.train_cfg.update(max_epochs=2)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    runner.train()  # does not raise
    assert runner.epoch == 2 and runner.iter == 6  # 6 samples, batch 2

    with open(osp.join(cfg.work_dir, 'broken_samples.jsonl')) as f:
        records = [json.loads(line) for line in f]
    assert {r['path'] for r in records} == bad  # each bad file once
    assert len(records) == len(bad)
    assert all(r['reason'] for r in records)
    assert runner.message_hub.get_info('train/broken_samples') == len(bad)
    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    for path in bad:
        assert log.count(f'skipping broken sample {path}') == 1
    assert f'{len(bad)} broken training sample(s) skipped' in log
    assert 'No such file' in log or 'not exist' in log  # the missing one


def test_broken_video_at_test_time_is_an_error_naming_it(tiny_data, tmp_path):
    videos, ann, bad = _broken_tree(tiny_data, str(tmp_path / 'data'))
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.test_dataloader.dataset.update(
        ann_file=ann, data_prefix=dict(video=videos))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(BrokenVideoError, match='missing.mp4'):
        runner.test()


def test_unknown_key_fails_at_build_naming_it(tiny_data, tmp_path):
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.train_dataloader.dataset.pipeline = update_pipeline(
        cfg.train_dataloader.dataset.pipeline, RandomCrop=dict(sizee=32))
    with pytest.raises(TypeError, match='sizee'):
        Runner.from_cfg(cfg).train()
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.model.cls_head.num_clases = 4
    with pytest.raises(TypeError, match='num_clases'):
        Runner.from_cfg(cfg)


@pytest.mark.parametrize('change, key', [
    (dict(SampleFrames=dict(clip_len=0)), 'pipeline[1].clip_len'),
    (dict(SampleFrames=dict(num_clips=-2)), 'pipeline[1].num_clips'),
    (dict(RandomCrop=dict(size=64)), 'pipeline[4].size'),
])
def test_impossible_clip_geometry_fails_naming_the_key(
        tiny_data, tmp_path, change, key):
    cfg = _tiny_cfg(tmp_path, tiny_data)
    check_clip_geometry(cfg)  # the real config is fine
    loader = cfg.train_dataloader
    loader.dataset.pipeline = update_pipeline(loader.dataset.pipeline,
                                              **change)
    with pytest.raises(ValueError, match=key.replace('[', r'\[')):
        check_clip_geometry(cfg)


def test_missing_dataset_names_path_and_how_to_prepare(tiny_data, tmp_path):
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.train_dataloader.dataset.ann_file = str(tmp_path / 'nope.txt')
    with pytest.raises(FileNotFoundError) as err:
        Runner.from_cfg(cfg).train()
    assert 'nope.txt' in str(err.value)
    assert 'make_demo_data.py' in str(err.value)  # the demo's prepare_hint
    cfg = _tiny_cfg(tmp_path, tiny_data)
    cfg.train_dataloader.dataset.data_prefix = dict(
        video=str(tmp_path / 'novideos'))
    with pytest.raises(FileNotFoundError, match='novideos'):
        Runner.from_cfg(cfg).train()

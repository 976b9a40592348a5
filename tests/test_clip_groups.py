"""Per-group augmentation (ClipGroupAugment) and the pretexts' fidelity to
their originals on the data side: VCOP crops each clip on its own (no flip
or jitter); RSPNet gives the query its own window and spatial transform and
the keys k+ and k- one shared window and transform; every sampler's label
keys reach PackActionInputs."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmaction.registry import TRANSFORMS

from conftest import ROOT
from mmauxskd.cfg import group_augment, pretext_val, update_pipeline

K = 2  # frames per clip in the unit tests


def clips_of(out, n, k=K):
    return [np.stack(out['imgs'][c * k:(c + 1) * k]) for c in range(n)]


def same_frames(n, size=16, seed=0):
    """n clips of K frames, all with one content, as separate arrays."""
    img = np.random.default_rng(seed).integers(0, 256, (size, size, 3),
                                               dtype=np.uint8)
    return dict(imgs=[img.copy() for _ in range(n * K)], clip_len=K,
                num_clips=n, img_shape=(size, size), modality='RGB')


def run(groups, transforms, n, draws=40):
    aug = TRANSFORMS.build(dict(type='ClipGroupAugment', groups=groups,
                                transforms=transforms))
    np.random.seed(0)
    return [clips_of(aug(same_frames(n)), n) for _ in range(draws)]


def test_each_clip_gets_its_own_crop_and_a_clip_one_crop():
    outs = run('each', [dict(type='RandomCrop', size=8)], 3)
    differ = sum(not np.array_equal(c[0], c[1]) for c in outs)
    assert differ > 30  # 81 crop positions: equal by chance ~1 in 81
    for clips in outs:  # within a clip one crop: its frames stay equal
        assert all(np.array_equal(c[0], c[1]) for c in clips)


@pytest.mark.parametrize('transforms', [
    [dict(type='RandomCrop', size=8)],
    [dict(type='Flip', flip_ratio=0.5)],
    [dict(type='ClipColorJitter')],
])
def test_query_alone_keys_together(transforms):
    outs = run(((0, ), (1, 2)), transforms, 3)
    assert all(np.array_equal(c[1], c[2]) for c in outs)  # k+, k- share
    assert sum(not np.array_equal(c[0], c[1]) for c in outs) > 10


def test_shared_draw_is_the_stock_transform_on_the_group():
    """One group = the stock transform on those frames, same draws."""
    frames = same_frames(2)
    np.random.seed(5)
    ours = TRANSFORMS.build(dict(
        type='ClipGroupAugment', groups=((0, 1), ),
        transforms=[dict(type='RandomCrop', size=8)]))(dict(frames))
    np.random.seed(5)
    stock = TRANSFORMS.build(dict(type='RandomCrop', size=8))(dict(frames))
    assert all(np.array_equal(a, b) for a, b in zip(ours['imgs'],
                                                    stock['imgs']))
    assert ours['crop_bbox'].tolist() == stock['crop_bbox'].tolist()


def test_a_repeated_frame_object_is_flipped_once():
    img = np.arange(2 * 4 * 3, dtype=np.uint8).reshape(2, 4, 3)
    flipped = img[:, ::-1].copy()
    out = TRANSFORMS.build(dict(
        type='ClipGroupAugment', groups='each',
        transforms=[dict(type='Flip', flip_ratio=1.0)]))(dict(
            imgs=[img, img, img, img.copy()], clip_len=2, num_clips=2,
            modality='RGB', img_shape=(2, 4)))
    for frame in out['imgs']:
        assert np.array_equal(frame, flipped)


def test_bad_groups_fail_naming_them():
    with pytest.raises(ValueError, match='groups'):
        TRANSFORMS.build(dict(type='ClipGroupAugment', groups=((0, ), (2, )),
                              transforms=[]))
    aug = TRANSFORMS.build(dict(type='ClipGroupAugment',
                                groups=((0, ), (1, 2)), transforms=[]))
    with pytest.raises(ValueError, match='groups'):
        aug(same_frames(2))


def test_pipeline_helpers_see_the_group():
    pipeline = [dict(type='DecordInit'), dict(type='ClipOrderSampler'),
                dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 40)),
                dict(type='RandomCrop', size=32), dict(type='Flip'),
                dict(type='ClipColorJitter'), dict(type='FormatShape',
                                                   input_format='NCTHW'),
                dict(type='PackActionInputs')]
    vcop = group_augment(pipeline, 'each', keep=('RandomCrop', ))
    assert [t['type'] for t in vcop][3:6] == ['Resize', 'ClipGroupAugment',
                                              'FormatShape']
    small = update_pipeline(vcop, RandomCrop=dict(size=24))  # nested too
    assert small[4]['transforms'] == [dict(type='RandomCrop', size=24)]
    val = pretext_val(small, dict(ann_file='a.txt'), ('order', ), draws=1)
    types = [t['type'] for t in val[0]['dataset']['datasets'][0]['pipeline']]
    assert 'ClipGroupAugment' not in types and 'CenterCrop' in types


# ------------------------------------------------------------- configs --

def _augmented(path, tiny_data, seed):
    """The config's training pipeline up to its ClipGroupAugment, on a tiny
    demo video, and the output."""
    cfg = Config.fromfile(osp.join(ROOT, path))
    pipeline = cfg.train_dataloader.dataset.pipeline
    types = [t['type'] for t in pipeline]
    steps = [dict(t) for t in pipeline[:types.index('ClipGroupAugment') + 1]]
    video = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                      '*.mp4')))[0]
    np.random.seed(seed)
    return Compose(steps)(dict(filename=video, start_index=0,
                               modality='RGB'))


@pytest.mark.parametrize('path', [
    'configs/rspnet/rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py',
    'configs/rspnet/rspnet_r2plus1d-r10-w8_1xb16-3x16-1600it_demo-rgb.py'])
def test_rspnet_query_and_keys_have_own_window_and_transform(path,
                                                             tiny_data):
    """RSPNet: k+ and k- are one window at two speeds with one crop / flip /
    jitter (their first frames, the window's start, come out identical);
    the query has its own window and transform."""
    own_window = own_crop = 0
    for seed in range(12):
        out = _augmented(path, tiny_data, seed)
        k = out['clip_len']
        w_q, w_p, w_n = out['rsp_starts']
        assert w_p == w_n
        assert np.array_equal(out['imgs'][k], out['imgs'][2 * k])
        q_info, k_info = out['clip_group_infos']
        own_window += w_q != w_p
        own_crop += q_info['crop_bbox'].tolist() != k_info[
            'crop_bbox'].tolist()
    assert own_window >= 6 and own_crop >= 6


def test_vcop_clips_have_own_crops(tiny_data):
    path = 'configs/vcop/vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py'
    differ = 0
    for seed in range(6):
        out = _augmented(path, tiny_data, seed)
        boxes = [i['crop_bbox'].tolist() for i in out['clip_group_infos']]
        assert len(boxes) == 3
        differ += len({tuple(b) for b in boxes}) > 1
        assert 'flip' not in out  # no flip, no jitter
    assert differ >= 5


PRETEXT_CONFIGS = sorted(
    osp.relpath(p, ROOT) for folder in ('vspp', 'videopace', 'vcop', 'rspnet')
    for p in glob.glob(osp.join(ROOT, 'configs', folder, '*.py')))


@pytest.mark.parametrize('path', PRETEXT_CONFIGS)
def test_sampler_label_keys_reach_pack(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    dataset = cfg.train_dataloader.dataset
    pipeline = dataset.get('dataset', dataset).pipeline
    sampler = [TRANSFORMS.get(t['type']) for t in pipeline
               if hasattr(TRANSFORMS.get(t['type']), 'label_keys')]
    assert len(sampler) == 1
    pack = pipeline[-1]
    assert pack['type'] == 'PackActionInputs'
    assert tuple(pack.get('algorithm_keys', ())) == sampler[0].label_keys


def test_label_keys_are_in_the_packed_sample(tiny_data):
    cfg = Config.fromfile(osp.join(ROOT, 'configs/vcop', (
        'vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py')))
    steps = [dict(t) for t in cfg.train_dataloader.dataset.pipeline]
    video = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                      '*.mp4')))[0]
    out = Compose(steps)(dict(filename=video, start_index=0, modality='RGB'))
    assert out['inputs'].shape[:2] == (3, 3)
    assert 'order_label' in out['data_samples']

"""MultiViewClips: one decode for both views, independent sampling and
augmentation, videos and raw frames, and the batch the model receives."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.transforms import BaseTransform
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmaction.datasets.transforms import DecordDecode, RawFrameDecode
from mmaction.registry import DATASETS, MODELS, TRANSFORMS

from conftest import ROOT
from mmauxskd.cfg import multi_view_pipeline, to_rawframes
from mmauxskd.datasets.transforms.multi_view import draw_indices
from mmauxskd.datasets.transforms.video_readers import PyAVSeekDecode
from mmauxskd.models.utils import update_momentum_encoders

VIEWS = ([0, 1, 2, 3, 4, 5, 6, 7], [5, 6, 7, 7, 30, 31, 32, 33])


@TRANSFORMS.register_module(force=True)
class ListSampler(BaseTransform):
    """Test sampler: hands out the index lists of ``VIEWS`` in turn."""

    def __init__(self):
        self.calls = 0

    def transform(self, results):
        inds = VIEWS[self.calls % 2]
        self.calls += 1
        results['frame_inds'] = np.array(inds) + results['start_index']
        results.update(clip_len=8, num_clips=1, view_id=self.calls)
        return results


@pytest.fixture
def decode_calls(monkeypatch):
    """Every decoder call's frame indices."""
    calls = []
    for cls in (PyAVSeekDecode, DecordDecode, RawFrameDecode):
        orig = cls.transform

        def spy(self, results, orig=orig):
            calls.append(np.array(results['frame_inds']))
            return orig(self, results)

        monkeypatch.setattr(cls, 'transform', spy)
    return calls


def _video(data):
    return sorted(glob.glob(osp.join(data, 'videos/unlabelled/*.mp4')))[0]


def _frames(data):
    with open(osp.join(data, 'demo_unlabelled_list_rawframes.txt')) as f:
        line = f.readline()
    folder, total, _ = line.split()
    return dict(frame_dir=osp.join(data, 'rawframes', folder),
                total_frames=int(total), filename_tmpl='img_{:05}.jpg',
                start_index=1, modality='RGB')


def _direct(results, inds, decoder):
    """A view decoded on its own (the reference)."""
    results = dict(results, frame_inds=np.array(inds) +
                   results['start_index'])
    if decoder in ('DecordDecode', 'PyAVSeekDecode'):
        results = TRANSFORMS.build(dict(
            type=decoder.replace('Decode', 'Init')))(results)
    out = TRANSFORMS.build(dict(type=decoder))(results)
    return np.stack(out['imgs'])


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize('media', ['video', 'rawframes', pytest.param(
    'decord', marks=pytest.mark.skipif(not _has('decord'),
                                       reason='decord (optional) missing'))])
def test_views_are_decoded_in_one_pass_and_split(media, tiny_data,
                                                  decode_calls):
    if media in ('video', 'decord'):  # PyAV (the configs'), or decord
        results = dict(filename=_video(tiny_data), start_index=0,
                       modality='RGB')
        init = 'DecordInit' if media == 'decord' else 'PyAVSeekInit'
        pipeline = [dict(type=init)]
        decoder = init.replace('Init', 'Decode')
    else:
        results, pipeline, decoder = _frames(tiny_data), [], 'RawFrameDecode'
    # Flip works in place: frames the views share (5, 6, 7) and a frame
    # used twice in one view (7) must be flipped once per use
    pipeline = Compose(pipeline + [dict(
        type='MultiViewClips', sampler=dict(type='ListSampler'),
        transforms=[dict(type='Flip', flip_ratio=1.0),
                    dict(type='FormatShape', input_format='NCTHW')])])
    out = pipeline(dict(results))

    union = sorted(set(VIEWS[0]) | set(VIEWS[1]))
    assert len(decode_calls) == 1  # one decoder call ...
    assert list(decode_calls[0]) == [i + results['start_index']
                                     for i in union]  # ... sorted, unique
    decode_calls.clear()
    assert out['imgs'].shape[:3] == (2, 3, 8)  # (views, C, T, H, W)
    for v, inds in enumerate(VIEWS):
        expected = _direct(results, inds, decoder)[:, :, ::-1]  # flipped
        got = out['imgs'][v].transpose(1, 2, 3, 0)  # C,T,H,W -> T,H,W,C
        np.testing.assert_array_equal(got, expected)
        assert list(out['view_infos'][v]['frame_inds'] -
                    results['start_index']) == inds
    assert out['num_views'] == 2 and out.get('video_reader') is None


def test_views_are_sampled_and_augmented_independently(tiny_data):
    pipeline = Compose([
        dict(type='PyAVSeekInit'),
        dict(type='MultiViewClips',
             sampler=dict(type='SampleFrames', clip_len=8, num_clips=1),
             transforms=[dict(type='RandomCrop', size=24),
                         dict(type='FormatShape', input_format='NCTHW')]),
        dict(type='PackActionInputs')])
    np.random.seed(0)
    starts = set()
    for _ in range(8):
        results = pipeline(dict(filename=_video(tiny_data), start_index=0,
                                modality='RGB', label=-1))
        assert results['inputs'].shape == (2, 3, 8, 24, 24)
        assert not torch.equal(results['inputs'][0], results['inputs'][1])
    view = TRANSFORMS.build(dict(
        type='MultiViewClips', sampler=dict(type='SampleFrames', clip_len=8),
        transforms=[dict(type='RandomCrop', size=24)]))
    reader = TRANSFORMS.build(dict(type='PyAVSeekInit'))
    for _ in range(8):
        out = view(reader(dict(filename=_video(tiny_data), start_index=0,
                               modality='RGB')))
        first, second = out['frame_inds']
        starts.add((int(first[0]), int(second[0])))
    assert len(starts) > 1 and any(a != b for a, b in starts)


def test_crops_differ_between_views(tiny_data):
    """Each view draws its own crop: the crop boxes differ in some draws."""
    view = TRANSFORMS.build(dict(
        type='MultiViewClips', sampler=dict(type='ListSampler'),
        transforms=[dict(type='RandomCrop', size=16)]))
    boxes = []
    orig = view.transforms.transforms[0].transform

    def record(results):
        out = orig(results)
        boxes.append(tuple(out['crop_bbox']))
        return out

    view.transforms.transforms[0].transform = record
    reader = TRANSFORMS.build(dict(type='PyAVSeekInit'))
    np.random.seed(1)
    for _ in range(5):
        view(reader(dict(filename=_video(tiny_data), start_index=0,
                         modality='RGB')))
    pairs = list(zip(boxes[::2], boxes[1::2]))
    assert any(a != b for a, b in pairs)


def test_differ_keys_force_different_vspp_labels(tiny_data):
    view = TRANSFORMS.build(dict(
        type='MultiViewClips', sampler=dict(type='SegmentPaceSampler'),
        differ_keys=('vspp_pace', 'vspp_segment'), max_redraws=50))
    reader = TRANSFORMS.build(dict(type='PyAVSeekInit'))
    np.random.seed(0)
    for _ in range(10):
        out = view(reader(dict(filename=_video(tiny_data), start_index=0,
                               modality='RGB')))
        a, b = out['view_infos']
        assert a['vspp_pace'] != b['vspp_pace']
        assert a['vspp_segment'] != b['vspp_segment']


def test_draw_indices_returns_the_sampler_keys_and_leaves_results():
    results = dict(start_index=2, total_frames=40, frame_inds=None)
    draw = draw_indices(ListSampler(), results)
    assert results == dict(start_index=2, total_frames=40, frame_inds=None)
    assert set(draw) == {'frame_inds', 'clip_len', 'num_clips', 'view_id'}
    assert draw['frame_inds'].tolist() == [i + 2 for i in VIEWS[0]]

    class TwoD(ListSampler):
        def transform(self, results):
            results['frame_inds'] = np.arange(6).reshape(2, 3)
            return results

    assert draw_indices(TwoD(), {})['frame_inds'].shape == (6, )
    with pytest.raises(KeyError, match='frame_inds'):
        draw_indices(_NoIndices(), {})


class _NoIndices(BaseTransform):
    def transform(self, results):
        return dict(results, clip_len=8)


def test_multi_view_pipeline_from_the_configs():
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py'))
    single = Config.fromfile(osp.join(
        ROOT, 'configs/_base_/datasets/k100_videos.py')).train_pipeline
    assert [t['type'] for t in cfg.train_pipeline] == [
        'PyAVSeekInit', 'MultiViewClips', 'PackActionInputs']
    views = cfg.train_pipeline[1]
    assert views['sampler']['type'] == 'SegmentPaceSampler'
    assert views['decoder'] == 'auto'
    # the same augmentation per view, but flip and colour jitter, which the
    # model's preprocessor draws per view on the device
    assert [t['type'] for t in views['transforms']] == [
        t['type'] for t in single[3:-1]
        if t['type'] not in ('Flip', 'ClipColorJitter')]
    assert cfg.model.data_preprocessor.num_views == 2
    frames = multi_view_pipeline(to_rawframes(single))
    assert [t['type'] for t in frames] == ['MultiViewClips', 'PackActionInputs']
    assert frames[0]['decoder'] == 'auto'
    assert [t['type'] for t in to_rawframes(cfg.train_pipeline)] == [
        'MultiViewClips', 'PackActionInputs']
    explicit = multi_view_pipeline([dict(type='DecordInit'),
                                  dict(type='SampleFrames', clip_len=4),
                                  dict(type='DecordDecode', mode='efficient')])
    assert explicit[1]['decoder'] == dict(type='DecordDecode',
                                          mode='efficient')
    with pytest.raises(ValueError):
        multi_view_pipeline([dict(type='DecordInit'), dict(type='Resize')])


@pytest.mark.parametrize('media', ['videos', 'rawframes'])
def test_dataset_batch_reaches_the_model(media, tiny_data):
    """Dataset -> collate -> data preprocessor -> AuxSKD loss."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'))
    dataset_cfg = dict(cfg.train_dataloader.dataset)
    pipeline = dataset_cfg['pipeline']
    if media == 'rawframes':
        pipeline = to_rawframes(pipeline)
        dataset_cfg.update(type='RobustRawframeDataset',
                           data_prefix=dict(img=osp.join(tiny_data, media)))
    else:
        dataset_cfg['data_prefix'] = dict(video=osp.join(tiny_data, media))
    dataset_cfg.update(
        pipeline=pipeline,
        ann_file=osp.join(tiny_data, f'demo_unlabelled_list_{media}.txt'))
    dataset = DATASETS.build(dataset_cfg)
    batch = pseudo_collate([dataset[i] for i in range(3)])
    model = MODELS.build(dict(cfg.model, queue_size=8))
    data = model.data_preprocessor(batch, training=True)
    assert data['inputs'].shape == (3, 2, 3, 16, 32, 32)
    assert abs(float(data['inputs'].mean())) < 3  # normalised
    model.init_weights()
    model.train()
    update_momentum_encoders(model)
    loss = model(**data, mode='loss')['loss_skd']
    assert torch.isfinite(loss) and loss > 0


def test_the_sampler_is_required_and_not_a_method_default():
    """The generic transform names no method's sampler: a config without
    one fails when it is built."""
    with pytest.raises(TypeError, match='sampler'):
        TRANSFORMS.build(dict(type='MultiViewClips', transforms=[]))

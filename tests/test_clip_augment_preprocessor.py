"""ClipAugmentPreprocessor: ClipColorJitter's function and draws on the
device, per view and group, reproducible per iteration, none in eval."""
import itertools

import numpy as np
import pytest
import torch
from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS
from mmengine.logging import MessageHub

from mmauxskd.datasets.transforms import ClipColorJitter
from mmauxskd.models.data_preprocessors import ClipAugmentPreprocessor
from test_color_jitter import _clip, _smooth_clip

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
AUGMENTS = [dict(type='Flip', flip_ratio=0.5), dict(type='ClipColorJitter')]
RANGES = ('brightness', 'contrast', 'saturation', 'hue')


def _prep(augments=AUGMENTS, **kwargs):
    return ClipAugmentPreprocessor(augments=augments, mean=MEAN, std=STD,
                                   format_shape='NCTHW', **kwargs)


def _batch(seed, shape=(4, 2, 3, 3, 8, 10)):
    """uint8 clips ``(B, clips, C, T, H, W)``."""
    return torch.from_numpy(np.random.default_rng(seed).integers(
        0, 256, shape, dtype=np.uint8))


def _data(batch):
    return dict(inputs=list(batch), data_samples=[None] * len(batch))


# ------------------------------------------------- (a) the same function --

def test_jitter_equals_clipcolorjitter_for_fixed_draws():
    """Every order of the four adjustments, default and wide ranges: the
    device jitter of ClipColorJitter's own draws is its output, within
    tests/test_color_jitter.py's rounding bound."""
    diffs = []
    for seed, (order, ranges) in enumerate(itertools.product(
            itertools.permutations(range(4)),
            [{}, dict(brightness=0.9, contrast=0.9, saturation=0.9,
                      hue=0.5)])):
        cpu = ClipColorJitter(**ranges)
        dev = _prep([dict(type='ClipColorJitter', **ranges)])
        cpu.fn_idx = dev.jitter.fn_idx = np.array(order)
        # random pixels, or gradients in frames wide enough for both of
        # OpenCV's HSV -> RGB loops
        imgs = _clip(seed, t=2) if seed % 2 else _smooth_clip(seed, t=1,
                                                              size=80)
        np.random.seed(seed)
        expected = np.stack(cpu.transform(
            dict(imgs=[f.copy() for f in imgs]))['imgs'])
        np.random.seed(seed)  # the same four draws, in order
        factors = torch.tensor([[np.random.uniform(*getattr(cpu, k))
                                 for k in RANGES]], dtype=torch.float64)
        clip = torch.from_numpy(np.stack(imgs)).permute(3, 0, 1, 2)
        got = dev._jitter(clip[None].float(), factors)[0]
        got = got.permute(1, 2, 3, 0).numpy()
        assert np.array_equal(got, np.round(got))
        diffs.append(np.abs(got - expected).ravel())
    diff = np.concatenate(diffs)
    assert (diff == 0).mean() > 0.99, (diff == 0).mean()
    assert (diff > 1).mean() < 1e-4 and diff.max() <= 8, diff.max()


def test_hsv_round_trip_is_opencvs_on_every_hue_and_grey_level():
    """The hue step against OpenCV on a lattice of colours in rows of
    widths that OpenCV converts by its vectorised and its scalar loop
    (which truncate and round), shifts 0, 37 and -61."""
    import cv2
    levels = torch.arange(0, 256, 5, dtype=torch.float32)
    r, g, b = torch.meshgrid(levels, levels, levels, indexing='ij')
    rgb = torch.stack([r, g, b]).reshape(3, -1)  # 52 ** 3 colours
    prep = _prep([dict(type='ClipColorJitter')])
    for shift, width in ((0, 104), (37, 169), (-61, 52)):
        frames = rgb.reshape(1, 3, 1, -1, width)  # (M, C, T, H, W)
        got = prep._hue_shift(frames, torch.tensor([shift],
                                                   dtype=torch.int32))
        img = frames[0, :, 0].permute(1, 2, 0).numpy().astype(np.uint8)
        hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
        hsv[..., 0] = (hsv[..., 0].astype(int) + shift) % 180
        want = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).transpose(2, 0, 1)
        diff = np.abs(got[0, :, 0].numpy() - want)
        assert (diff == 0).mean() > 0.999 and diff.max() <= 1, shift


# ------------------------------------------------------- (b) the draws --

def test_draws_cover_the_ranges_independently():
    prep = _prep([dict(type='Flip', flip_ratio=0.3),
                  dict(type='ClipColorJitter', hue=0.2)])
    draws = prep.draw(20000, torch.Generator().manual_seed(0))
    assert abs(draws['flip'].double().mean() - 0.3) < 0.015
    f = draws['jitter']
    lo = torch.tensor([0.5, 0.5, 0.5, -0.2], dtype=torch.float64)
    hi = torch.tensor([1.5, 1.5, 1.5, 0.2], dtype=torch.float64)
    assert (f >= lo).all() and (f <= hi).all()
    u = (f - lo) / (hi - lo)  # uniform on [0, 1] in each column
    assert torch.allclose(u.mean(0), torch.full((4, ), 0.5,
                                                dtype=torch.float64),
                          atol=0.01)
    assert torch.allclose(u.std(0), torch.full((4, ), 12 ** -0.5,
                                               dtype=torch.float64),
                          atol=0.01)
    # b, c, s, h of a clip, and consecutive clips, uncorrelated
    corr = torch.corrcoef(torch.cat([u[1:], u[:-1]], 1).T)
    assert (corr - torch.eye(8, dtype=torch.float64)).abs().max() < 0.04


def test_each_clip_flips_at_the_rate_on_the_device_batch():
    prep = _prep([dict(type='Flip', flip_ratio=0.5)], groups='each')
    clip = torch.arange(4, dtype=torch.uint8).expand(200, 3, 3, 2, 2, 4)
    out = prep.augment(clip, torch.Generator().manual_seed(1))
    flipped = out[..., 0] == 3  # (B, clips, C, T, H): whole clips
    per_clip = flipped.flatten(2)
    assert (per_clip.all(-1) | ~per_clip.any(-1)).all()
    assert abs(per_clip.all(-1).double().mean() - 0.5) < 0.05


# -------------------------------------------- (c) per view and per group --

def _same(out, i, j):
    return torch.equal(out[:, i], out[:, j])


def test_views_draw_apart_and_groups_share():
    gen = torch.Generator
    one = _batch(0, (16, 1, 3, 2, 6, 6))
    # two views of the same clip (auxSKD): each its own flip and jitter
    two = _prep(num_views=2).augment(one.expand(16, 2, 3, 2, 6, 6),
                                     gen().manual_seed(0))
    differ = [not torch.equal(two[i, 0], two[i, 1]) for i in range(16)]
    assert all(differ)
    # auxSKD + VCOP: 2 views of 3 clips, the clips of a view share
    six = _prep(num_views=2).augment(one.expand(16, 6, 3, 2, 6, 6),
                                     gen().manual_seed(0))
    assert _same(six, 0, 2) and _same(six, 3, 5) and not _same(six, 0, 3)
    # RSPNet's windows: the query alone, the two keys together
    three = _prep(groups=((0, ), (1, 2))).augment(
        one.expand(16, 3, 3, 2, 6, 6), gen().manual_seed(0))
    assert _same(three, 1, 2) and not _same(three, 0, 1)
    each = _prep(groups='each').augment(one.expand(16, 3, 3, 2, 6, 6),
                                        gen().manual_seed(0))
    assert not _same(each, 1, 2)
    with pytest.raises(ValueError, match='num_views=2'):
        _prep(num_views=2).augment(one.expand(16, 3, 3, 2, 6, 6),
                                   gen().manual_seed(0))


def test_draws_are_the_iterations_so_resume_repeats_them():
    """Seeded from (seed, iteration, rank, call): a preprocessor built at a
    resumed iteration draws what the uninterrupted one drew there; the
    draws move with the iteration and the seed, and no global generator is
    used."""
    batch, hub = _batch(1), MessageHub.get_instance('clip_augment_test')
    runs = []
    for iters in ([0, 1, 2], [2]):
        np.random.seed(0)  # the adjustment order, drawn when built, as a
        prep, outs = _prep(), []  # resumed Runner draws it after seeding
        for i in iters:
            hub.update_info('iter', i)
            outs.append(prep(_data(batch), training=True)['inputs'])
        runs.append(outs)
    assert torch.equal(runs[0][2], runs[1][0])
    assert not torch.equal(runs[0][0], runs[0][1])
    hub.update_info('iter', 2)
    state = torch.get_rng_state()
    other = _prep(seed=123)(_data(batch), training=True)['inputs']
    assert not torch.equal(other, runs[1][0])
    assert torch.equal(torch.get_rng_state(), state)
    # a second call in one iteration draws anew
    prep = _prep()
    first = prep(_data(batch), training=True)['inputs']
    assert not torch.equal(first, prep(_data(batch), training=True)['inputs'])
    # the run's seed as mmengine set it survives a restored generator state
    # (RandomStateHook on --resume)
    torch.manual_seed(3)
    saved = torch.get_rng_state()
    torch.manual_seed(9)
    torch.set_rng_state(saved)
    assert torch.initial_seed() == 3


# ----------------------------------------- (d) eval: normalisation only --

def test_eval_and_no_augments_only_normalise():
    batch = _batch(2)
    stock = ActionDataPreprocessor(mean=MEAN, std=STD, format_shape='NCTHW')
    want = stock(_data(batch), training=False)['inputs']
    assert torch.equal(_prep()(_data(batch), training=False)['inputs'], want)
    assert torch.equal(_prep([])(_data(batch), training=True)['inputs'],
                       want)
    trained = _prep()(_data(batch), training=True)['inputs']
    assert trained.shape == want.shape and not torch.equal(trained, want)


# ---------------------------------------- (e) bad arguments, named --

@pytest.mark.parametrize('kwargs, key', [
    (dict(augments=[dict(type='Flip', flip_ratio=2)]),
     r'augments\[0\]\.flip_ratio'),
    (dict(augments=[dict(type='Flip', direction='vertical')]),
     r'augments\[0\]\.direction'),
    (dict(augments=[dict(type='Flip'), dict(type='ClipColorJitter',
                                            hue=0.7)]),
     r'augments\[1\]\.hue'),
    (dict(augments=[dict(type='ColorJitter', gamma=1)]),
     r'augments\[0\]\.gamma'),
    (dict(augments=[dict(type='RandomCrop', size=112)]),
     r'augments\[0\]\.type'),
    (dict(groups=((0, ), (2, ))), 'groups'),
    (dict(num_views=0), 'num_views'),
])
def test_bad_argument_fails_at_build_naming_the_key(kwargs, key):
    cfg = dict(type='ClipAugmentPreprocessor', mean=MEAN, std=STD,
               format_shape='NCTHW')
    with pytest.raises(ValueError, match=key):
        MODELS.build(dict(cfg, **kwargs))


# ------------------------------------------------------------- configs --

def _types(pipeline):
    from mmauxskd.cfg import transforms_of
    return [t['type'] for t in transforms_of(pipeline)]


@pytest.mark.parametrize('leaf, views, groups', [
    ('configs/auxskd/auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb.py',
     2, 'all'),
    ('configs/rspnet/rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py', 1,
     ((0, ), (1, 2))),
])
def test_pretext_configs_draw_flip_and_jitter_on_the_device(leaf, views,
                                                            groups):
    """The workers decode, resize and crop; the preprocessor takes the
    clip setting's very transforms, per view and group as the workers
    drew them."""
    from mmengine.config import Config

    from conftest import ROOT
    from mmauxskd.cfg import check_clip_geometry, config_variable
    cfg = Config.fromfile(f'{ROOT}/{leaf}')
    types = _types(cfg.train_dataloader.dataset.pipeline)
    assert 'RandomCrop' in types and not {'Flip', 'ClipColorJitter'} & set(
        types)
    prep = cfg.model.data_preprocessor
    assert prep.type == 'ClipAugmentPreprocessor'
    assert prep.augments == config_variable(
        f'{ROOT}/configs/_base_/datasets/video_clips.py', 'clip_augments')
    have = prep.get('groups', 'all')
    if have != 'all':
        have = tuple(map(tuple, have))
    assert (prep.get('num_views', 1), have) == (views, groups)
    check_clip_geometry(cfg)
    MODELS.build(prep)


def test_demo_keeps_augmenting_in_the_worker():
    """RSPNet's demo: flip and jitter back in each window's group, after
    its crop; the preprocessor only normalises."""
    from mmengine.config import Config

    from conftest import ROOT
    from mmauxskd.cfg import check_clip_geometry
    cfg = Config.fromfile(
        f'{ROOT}/configs/rspnet/'
        'rspnet_r2plus1d-r10-w8_1xb16-3x16-1600it_demo-rgb.py')
    group = [t for t in cfg.train_dataloader.dataset.pipeline
             if t.type == 'ClipGroupAugment'][0]
    assert [t['type'] for t in group.transforms] == [
        'RandomCrop', 'Flip', 'ClipColorJitter']
    assert tuple(map(tuple, group.groups)) == ((0, ), (1, 2))
    assert cfg.model.data_preprocessor.augments == []
    check_clip_geometry(cfg)


def _base(**prep):
    from mmengine.config import ConfigDict
    pipeline = [dict(type='PyAVSeekInit'),
                dict(type='SampleFrames', clip_len=4, num_clips=1),
                dict(type='PyAVSeekDecode'),
                dict(type='Resize', scale=(-1, 40)),
                dict(type='RandomCrop', size=32), *AUGMENTS,
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')]
    prep = dict(dict(type='ClipAugmentPreprocessor', augments=AUGMENTS),
                **prep)
    return ConfigDict(
        train_pipeline=pipeline,
        train_dataloader=dict(dataset=dict(pipeline=pipeline)),
        model=dict(data_preprocessor=prep))


@pytest.mark.parametrize('prep, args, key', [
    (dict(), dict(two_view=True), 'model.data_preprocessor.num_views=1'),
    (dict(num_views=2), dict(), 'model.data_preprocessor.num_views=2'),
    (dict(groups='each'), dict(clip_augment=dict(groups=((0, ), (1, 2)))),
     'model.data_preprocessor.groups'),
    (dict(augments=[dict(type='Flip', flip_ratio=0.3)]), dict(),
     'model.data_preprocessor.augments'),
])
def test_pretext_data_refuses_a_preprocessor_that_draws_otherwise(
        prep, args, key):
    from mmauxskd.cfg import pretext_data
    sampler = dict(type='RelativeSpeedSampler', clip_len=4) if args.get(
        'clip_augment') else dict(type='SampleFrames', clip_len=4)
    with pytest.raises(ValueError, match=key):
        pretext_data(_base(**prep), sampler, **args)


def test_geometry_check_refuses_augmenting_twice():
    from mmengine.config import ConfigDict

    from mmauxskd.cfg import check_clip_geometry
    base = _base()
    cfg = ConfigDict(model=base.model, train_dataloader=dict(
        batch_size=2, dataset=dict(pipeline=base.train_pipeline)))
    with pytest.raises(ValueError, match=r'pipeline\[5\] \(Flip\) is also '
                       'applied by model.data_preprocessor'):
        check_clip_geometry(cfg)


def test_pipeline_benchmark_times_the_pipeline_as_before_the_move():
    """tools/benchmarks/pipeline.py ``CONFIG:cpu-augment``: the flip and
    jitter back after the crop; refused where the model augments
    nothing."""
    from conftest import ROOT, load_tool
    tool = load_tool('benchmarks/pipeline.py')
    main = (f'{ROOT}/configs/vspp/'
            'vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py')
    _, own = tool.parse_pipeline(f'new={main}')
    _, old = tool.parse_pipeline(f'old={main}:cpu-augment')
    crop = [t['type'] for t in own].index('RandomCrop')
    assert [t['type'] for t in old] == [t['type'] for t in own][:crop + 1] \
        + ['Flip', 'ClipColorJitter'] + [t['type'] for t in own][crop + 1:]
    demo = main.replace('_2xb15-16x1x1-20e_k100',
                        '-w8_1xb12-16x1x1-1200it_demo')
    with pytest.raises(ValueError, match='augments nothing'):
        tool.parse_pipeline(f'demo={demo}:cpu-augment')

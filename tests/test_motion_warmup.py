"""MotionWarmupPreprocessor: frame differences at the first iteration, a
linear blend to RGB by ``warmup_iters``, RGB in evaluation; the demo speed
pretexts use it."""
import numpy as np
import pytest
import torch
from mmaction.models import ActionDataPreprocessor
from mmengine.config import Config
from mmengine.logging import MessageHub

from conftest import ROOT
from mmauxskd.models.data_preprocessors import MotionWarmupPreprocessor

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def _batch(shape=(3, 1, 3, 5, 4, 4)):
    """uint8 clips ``(B, clips, C, T, H, W)``."""
    return torch.from_numpy(np.random.default_rng(0).integers(
        0, 256, shape, dtype=np.uint8))


def _run(prep, batch, iteration, training=True):
    MessageHub.get_current_instance().update_info('iter', iteration)
    try:
        return prep(dict(inputs=list(batch), data_samples=[None] * len(
            batch)), training)['inputs']
    finally:
        MessageHub.get_current_instance().runtime_info.pop('iter', None)


def _rgb(batch):
    return ActionDataPreprocessor(mean=MEAN, std=STD, format_shape='NCTHW')(
        dict(inputs=list(batch), data_samples=[None] * len(batch)))['inputs']


@pytest.mark.parametrize('iteration, weight', [
    (0, 1.0), (150, 0.75), (300, 0.5), (599, 1 / 600), (600, 0.0),
    (5000, 0.0)])
def test_the_blend_fades_from_differences_to_rgb(iteration, weight):
    prep = MotionWarmupPreprocessor(600, mean=MEAN, std=STD,
                                    format_shape='NCTHW')
    batch = _batch()
    rgb = _rgb(batch)
    out = _run(prep, batch, iteration)
    assert prep.difference_weight(iteration) == pytest.approx(weight)
    # x'_t = x_t - a x_{t-1} along T (dim -3), x'_0 = (1 - a) x_0
    expected = rgb.clone()
    expected[..., 1:, :, :] -= weight * rgb[..., :-1, :, :]
    expected[..., 0, :, :] *= 1 - weight
    torch.testing.assert_close(out, expected)
    if iteration == 0:  # pure frame differences: the static part is gone
        still = torch.from_numpy(np.repeat(_batch()[..., :1, :, :].numpy(),
                                           5, axis=-3))
        assert _run(prep, still, 0).abs().max() == 0


def test_evaluation_and_warmup_off_see_rgb():
    batch, prep = _batch(), MotionWarmupPreprocessor(
        600, mean=MEAN, std=STD, format_shape='NCTHW')
    torch.testing.assert_close(_run(prep, batch, 0, training=False),
                               _rgb(batch))
    off = MotionWarmupPreprocessor(0, mean=MEAN, std=STD,
                                   format_shape='NCTHW')
    torch.testing.assert_close(_run(off, batch, 0), _rgb(batch))


def test_without_a_runner_it_counts_its_own_training_calls():
    prep = MotionWarmupPreprocessor(2, mean=MEAN, std=STD,
                                    format_shape='NCTHW')
    batch = _batch()
    data = dict(inputs=list(batch), data_samples=[None] * len(batch))
    first = prep(data, True)['inputs']
    prep(data, False)  # evaluation calls do not count
    second, third = (prep(data, True)['inputs'] for _ in range(2))
    assert not torch.allclose(first, second)
    torch.testing.assert_close(third, _rgb(batch))


@pytest.mark.parametrize('kwargs, key', [
    (dict(warmup_iters=-1), 'warmup_iters'),
    (dict(warmup_iters=1.5), 'warmup_iters'),
    (dict(warmup_iters=True), 'warmup_iters'),
    (dict(warmup_iters=10, format_shape='NCHW'), 'format_shape'),
])
def test_bad_arguments_fail_at_build_naming_the_key(kwargs, key):
    kwargs.setdefault('format_shape', 'NCTHW')
    with pytest.raises(ValueError, match=key):
        MotionWarmupPreprocessor(mean=MEAN, std=STD, **kwargs)


@pytest.mark.parametrize('config, loss', [
    ('configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py',
     'loss_segment'),
    ('configs/videopace/'
     'videopace_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py',
     'loss_pace'),
])
def test_the_demo_speed_pretexts_warm_up_and_hold_until_take_off(config,
                                                                 loss):
    cfg = Config.fromfile(f'{ROOT}/{config}')
    prep = cfg.model.data_preprocessor
    assert prep.type == 'MotionWarmupPreprocessor'
    assert prep.warmup_iters == 600 and prep.augments == []
    take_off = [h for h in cfg.custom_hooks if h.type == 'TakeOffHook']
    assert len(take_off) == 1 and take_off[0].loss == loss
    assert take_off[0].chance == pytest.approx(np.log(4))
    # the finetuning configs stay on ActionDataPreprocessor's RGB
    ft = Config.fromfile(
        f'{ROOT}/configs/finetune/'
        'r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py')
    assert ft.model.data_preprocessor.type != 'MotionWarmupPreprocessor'

"""ClipColorJitter is MMAction2's ColorJitter up to one grey level."""
import itertools

import numpy as np
import pytest
from mmaction.datasets.transforms import ColorJitter

from mmauxskd.datasets.transforms import ClipColorJitter


def _clip(seed, t=6, h=20, w=24):
    return list(np.random.default_rng(seed).integers(
        0, 256, (t, h, w, 3), dtype=np.uint8))


def _run(transform, imgs, seed):
    np.random.seed(seed)
    return transform.transform(dict(imgs=[f.copy() for f in imgs]))['imgs']


# every order of the four adjustments, with the default ranges and with
# ranges wide enough to saturate and to shift the hue both ways
@pytest.mark.parametrize('order', list(itertools.permutations(range(4))))
@pytest.mark.parametrize('ranges', [{}, dict(brightness=0.9, contrast=0.9,
                                             saturation=0.9, hue=0.5)])
def test_same_output_as_colorjitter(order, ranges):
    stock, ours = ColorJitter(**ranges), ClipColorJitter(**ranges)
    stock.fn_idx = ours.fn_idx = np.array(order)
    for seed in range(3):
        imgs = _clip(seed)
        expected, got = _run(stock, imgs, seed), _run(ours, imgs, seed)
        assert len(got) == len(expected) and got[0].dtype == np.uint8
        got, expected = np.stack(got).astype(int), np.stack(expected)
        diff = np.abs(got - expected)
        assert diff.max() <= 1, diff.max()  # float rounding at most
        assert (diff == 0).mean() > 0.99


def test_takes_the_four_draws_of_colorjitter():
    """The next draw after the transform is the same: it consumed as much
    of the global RNG as ColorJitter does."""
    imgs = _clip(0)
    _run(ColorJitter(), imgs, 5)
    after_stock = np.random.rand()
    _run(ClipColorJitter(), imgs, 5)
    assert np.random.rand() == after_stock


def test_changes_the_frames_and_rejects_grey_frames():
    imgs = _clip(1)
    out = _run(ClipColorJitter(), imgs, 0)
    assert not all(np.array_equal(a, b) for a, b in zip(out, imgs))
    with pytest.raises(ValueError, match='H x W x 3'):
        ClipColorJitter().transform(dict(imgs=[np.zeros((4, 4), np.uint8)]))

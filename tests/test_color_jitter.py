"""ClipColorJitter is MMAction2's ColorJitter up to float rounding."""
import itertools

import numpy as np
import pytest
from mmaction.datasets.transforms import ColorJitter

from mmauxskd.datasets.transforms import ClipColorJitter


def _clip(seed, t=6, h=20, w=24):
    return list(np.random.default_rng(seed).integers(
        0, 256, (t, h, w, 3), dtype=np.uint8))


def _smooth_clip(seed, t=4, size=112):
    """Gradients plus noise: many pixels near HSV quantisation steps."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    frames = []
    for _ in range(t):
        a, b, c = rng.uniform(0, 255, 3)
        rgb = np.stack([a * x + 20 * y, b * y, c * (1 - x) * y], -1)
        rgb += rng.normal(0, 3, rgb.shape)
        frames.append(np.clip(rgb, 0, 255).astype(np.uint8))
    return frames


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
    diffs = []
    for seed in range(3):
        for imgs in (_clip(seed), _smooth_clip(seed)):
            expected, got = _run(stock, imgs, seed), _run(ours, imgs, seed)
            assert len(got) == len(expected) and got[0].dtype == np.uint8
            assert got[0].shape == expected[0].shape
            diffs.append(np.abs(np.stack(got).astype(int) -
                                np.stack(expected)).ravel())
    diff = np.concatenate(diffs)
    # float rounding only: almost all identical, rare small differences
    # (a rounding step before the hue's HSV quantisation)
    assert (diff == 0).mean() > 0.99
    assert (diff > 1).mean() < 1e-4 and diff.max() <= 8, diff.max()


def test_takes_the_four_draws_of_colorjitter():
    """The next draw after the transform is the same: it consumed as much
    of the global RNG as ColorJitter does."""
    imgs = _clip(0)
    _run(ColorJitter(), imgs, 5)
    after_stock = np.random.rand()
    _run(ClipColorJitter(), imgs, 5)
    assert np.random.rand() == after_stock


def test_frames_of_any_memory_layout():
    """Transposed or Fortran-ordered frames (cv2 writes in place)."""
    imgs = _clip(2)
    odd = [np.asfortranarray(imgs[0]), imgs[1].transpose(1, 0, 2)[:20, :20],
           imgs[2][::-1, ::2]]
    kept = [o.copy(order='K') for o in odd]
    np.random.seed(0)
    out = ClipColorJitter().transform(dict(imgs=list(odd)))['imgs']
    assert [o.shape for o in out] == [o.shape for o in odd]
    assert all(o.flags.c_contiguous for o in out)
    # the inputs are left alone
    assert all(np.array_equal(o, k) for o, k in zip(odd, kept))


def test_changes_the_frames_and_rejects_grey_frames():
    imgs = _clip(1)
    out = _run(ClipColorJitter(), imgs, 0)
    assert not all(np.array_equal(a, b) for a, b in zip(out, imgs))
    with pytest.raises(ValueError, match='H x W x 3'):
        ClipColorJitter().transform(dict(imgs=[np.zeros((4, 4), np.uint8)]))

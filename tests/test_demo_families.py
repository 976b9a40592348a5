"""The demo generator's video families (tools/data/make_demo_data.py
--family) and tools/run_demo.py --data-family: the default videos stay the
same draw for draw, each family has the property it is named after, and a
folder of one family is not read as another."""
import hashlib
import json
import os
import os.path as osp

import numpy as np
import pytest

import make_demo_data as gen
from conftest import load_tool

run_demo = load_tool('run_demo.py')

SMALL = ['--num-unlabelled', '2', '--num-pretext-val', '1', '--num-train',
         '4', '--num-test', '1', '--num-val', '1', '--min-frames', '8',
         '--max-frames', '12', '--size', '32']
# the frames and lists of SMALL with seed 0, from the generator before
# families existed: the default family must keep them
DEFAULT_FINGERPRINT = ('ddaf4c7604368354e8a1d17ebb45232c'
                       '4514f7fae833fd1f2e34be0c6cc23196')


def fingerprint(out, monkeypatch, *args):
    """sha256 of every rendered frame (before encoding: the codec's bytes
    are FFmpeg's business) and every text file a run writes."""
    digest = hashlib.sha256()

    def record(path, frames, fps=16):
        digest.update(osp.relpath(path, out).encode())
        digest.update(frames.tobytes())

    monkeypatch.setattr(gen, 'write_mp4', record)
    gen.main(['--out', str(out)] + SMALL + list(args))
    for name in sorted(os.listdir(out)):
        if name.endswith(('.txt', '.json')):
            with open(osp.join(out, name), 'rb') as f:
                digest.update(name.encode() + f.read())
    return digest.hexdigest()


def test_default_family_unchanged_and_runs_deterministic(tmp_path,
                                                         monkeypatch):
    """The default family writes what the generator wrote before families
    (and no family.json); a seed gives the same videos of a family twice,
    another seed others."""
    default = fingerprint(tmp_path / 'a', monkeypatch)
    assert default == DEFAULT_FINGERPRINT
    assert default == fingerprint(tmp_path / 'b', monkeypatch, '--family',
                                  'default')
    assert not osp.exists(tmp_path / 'a' / 'family.json')
    hard = ['--family', 'appearance+scale+clutter+slow']
    first = fingerprint(tmp_path / 'c', monkeypatch, *hard)
    assert first == fingerprint(tmp_path / 'd', monkeypatch, *hard)
    assert first != fingerprint(tmp_path / 'e', monkeypatch, *hard,
                                '--seed', '1')
    with open(tmp_path / 'c' / 'family.json') as f:
        record = json.load(f)
    assert record['family'] == 'slow+clutter+scale+appearance'
    assert gen.folder_family(str(tmp_path / 'c')) == record['family']
    with open(tmp_path / 'c' / 'classnames.txt') as f:
        assert f.read().split() == ['up', 'down', 'grow', 'shrink']


def _speeds(family, label, n=300):
    rng = np.random.default_rng(0)
    draws = np.array([gen.motion(rng, family, label) for _ in range(n)])
    return np.hypot(draws[:, 0], draws[:, 1]), draws


@pytest.mark.parametrize('name,slow,fast,full', [
    ('default', (0.5, 1.0), (1.75, 2.5), (0.5, 2.5)),
    ('slow', (0.5, 0.8), (0.95, 1.25), (0.5, 1.25))])
def test_speed_ranges(name, slow, fast, full):
    family = gen.Family(name)
    for label, (lo, hi) in enumerate([slow, fast, slow, fast]):
        speed, draws = _speeds(family, label)
        assert lo - 1e-9 <= speed.min() and speed.max() <= hi + 1e-9
        assert speed.max() - speed.min() > 0.5 * (hi - lo)  # the range
        # up (label 0, 1) is -y, down +y; no zoom
        assert np.all(np.sign(draws[:, 1]) == (-1 if label < 2 else 1))
        assert np.all(draws[:, 2] == 1)
    speed, _ = _speeds(family, None)
    assert full[0] - 1e-9 <= speed.min() and speed.max() <= full[1] + 1e-9


def test_scale_classes_zoom_or_move():
    """scale: up and down move vertically, grow and shrink zoom (the
    objects' bright area grows or shrinks over a rendered video) drifting
    sideways; unlabelled videos do either, half and half."""
    family = gen.Family('slow+scale')
    for label, zoom in ((0, 1), (1, 1)):
        _, draws = _speeds(family, label, 50)
        assert np.all(draws[:, 2] == zoom)
        assert np.all(abs(draws[:, 1]) >= abs(draws[:, 0]))  # vertical
    for label in (2, 3):
        speed, draws = _speeds(family, label, 50)
        assert np.all(draws[:, 1] == 0) and speed.max() <= 1.25
        ratio = draws[:, 2] if label == 2 else 1 / draws[:, 2]
        assert np.all((2.5 <= ratio) & (ratio <= 3.5))
    _, draws = _speeds(family, None, 400)
    assert 0.4 < np.mean(draws[:, 2] != 1) < 0.6

    def area(label):
        frames = gen.render_video(np.random.default_rng(1), 48, 64,
                                  label=label, family=family)
        return (frames.max(axis=3) >= 125).mean(axis=(1, 2))

    grow, shrink = area(2), area(3)
    assert grow[-6:].mean() > 3 * grow[:6].mean()
    assert shrink[:6].mean() > 3 * shrink[-6:].mean()


def test_appearance_cues_are_partly_predictive():
    """appearance: each cue (shape, tint, scene) of a class's video is the
    class's with probability cue_prob, the others' evenly otherwise;
    independent draws; unlabelled videos draw each evenly."""
    family = gen.Family('appearance', cue_prob=0.6)
    rng = np.random.default_rng(0)
    n = 3000
    draws = np.array([gen.cues(rng, family, 2) for _ in range(n)])
    hits = draws == 2
    assert np.all(abs(hits.mean(axis=0) - 0.6) < 0.03)
    # all three at once: 0.6^3, i.e. the cues are drawn independently
    assert abs(hits.all(axis=1).mean() - 0.216) < 0.03
    for other in (0, 1, 3):
        assert np.all(abs((draws == other).mean(axis=0) - 0.4 / 3) < 0.03)
    free = np.array([gen.cues(rng, family, None) for _ in range(n)])
    for value in range(4):
        assert np.all(abs((free == value).mean(axis=0) - 0.25) < 0.03)
    assert gen.cues(rng, gen.Family('slow'), 2) is None


def test_clutter_is_static_and_a_distractor_moves():
    """clutter: bright pixels that never change (the static shapes), which
    the default videos do not have; the objects still move."""
    def render(name):
        return gen.render_video(np.random.default_rng(2), 48, 64, label=0,
                                family=gen.Family(name)).astype(int)

    for name, static in (('default', False), ('clutter', True)):
        frames = render(name)
        bright = frames.max(axis=3) >= 125
        steady = bright.all(axis=0) & (np.ptp(frames, axis=0).max(axis=2)
                                       == 0)
        assert (steady.mean() > 0.03) == static, (name, steady.mean())
    moving = np.abs(np.diff(render('clutter'), axis=0)).max(axis=3) > 0
    assert moving.mean(axis=(1, 2)).min() > 0.005  # in every frame


def test_family_names_and_run_demo_folders(tmp_path):
    assert gen.family_name('clutter+slow') == 'slow+clutter'
    assert gen.family_name('default') == 'default'
    with pytest.raises(ValueError, match='fast'):
        gen.Family('slow+fast')
    args = gen.parse_args(['--frames', '48', '--family', 'scale+slow'])
    assert (args.min_frames, args.max_frames) == (48, 48)
    assert args.family.name == 'slow+scale'
    folder, family = run_demo.data_folder(None, 'clutter+slow')
    assert (folder, family) == (run_demo.DATA + '-slow+clutter',
                                'slow+clutter')
    assert run_demo.data_folder(None, 'default')[0] == run_demo.DATA
    assert run_demo.data_folder(None, None) == (run_demo.DATA, None)
    with pytest.raises(SystemExit, match='fast'):
        run_demo.data_folder(None, 'fast')
    # a folder there already: used only if it holds the family asked for
    marker = 'demo_test_list_videos.txt'
    (tmp_path / marker).write_text('')
    run_demo.make_data(str(tmp_path), marker, '--family', 'default')
    with pytest.raises(SystemExit, match='default family, not slow'):
        run_demo.make_data(str(tmp_path), marker, '--family', 'slow')
    (tmp_path / 'family.json').write_text(json.dumps(dict(family='slow')))
    run_demo.make_data(str(tmp_path), marker, '--family', 'slow')
    assert not (tmp_path / 'videos').exists()  # nothing generated


def test_motion_check_sees_the_altered_segment(tmp_path):
    """tools/analysis/motion_check.py: on moving demo videos the altered
    segment is the one with the largest frame difference; on a still
    video nothing tells it (exactly chance, no frame difference)."""
    import argparse
    motion_check = load_tool('analysis/motion_check.py')
    gen.main(['--out', str(tmp_path), '--num-unlabelled', '0',
              '--num-pretext-val', '2', '--num-train', '0', '--num-test',
              '0', '--num-val', '0', '--frames', '40'])
    moving = motion_check.check(str(tmp_path), 'pretext_val',
                                [(40, 32), (64, 64)])
    for share, energy in moving.values():
        assert share > 0.8 and energy > 1
    still = np.repeat(gen.render_video(np.random.default_rng(0), 1, 64),
                      40, axis=0)
    gen.write_mp4(str(tmp_path / 'videos' / 'still.mp4'), still)
    (tmp_path / 'demo_still_list_videos.txt').write_text('still.mp4 -1\n')
    share, energy = motion_check.check(str(tmp_path), 'still',
                                       [(40, 32)])[(40, 32)]
    assert share == 0.25 and energy < 0.5
    with pytest.raises(argparse.ArgumentTypeError, match='fit'):
        motion_check.parse_geometry('40x48')

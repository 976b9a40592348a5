"""mmauxskd.cfg: one declaration of random transforms drives every
deterministic pass (held-out evaluation, Vi²CLR's clustering, MLFO's
held-out draws), and the subpackages import each other without a cycle."""
import ast
import glob
import os.path as osp

import pytest

from conftest import ROOT
from mmauxskd import cfg
from mmauxskd.cfg import (RANDOM_TRANSFORMS, cluster_pipeline,
                          deterministic_pipeline, mlfo_pipeline,
                          mlfo_pretext_val, pretext_val, transforms_of,
                          vi2clr_train_pipeline)

CLIP = [dict(type='DecordInit'), dict(type='SampleFrames', clip_len=4),
        dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 40)),
        dict(type='RandomCrop', size=32), dict(type='Flip', flip_ratio=0.5),
        dict(type='ClipColorJitter'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')]


def every_random_transform():
    """One of each declared random transform, with the arguments their
    replacements read."""
    args = dict(RandomCrop=dict(size=32),
                ClipGroupAugment=dict(groups='each', transforms=[
                    dict(type='RandomCrop', size=24), dict(type='Flip')]))
    return [dict(type=name, **args.get(name, {}))
            for name in RANDOM_TRANSFORMS]


def types(pipeline):
    return [t['type'] for t in transforms_of(pipeline)]


def held_out_pipelines(loader):
    return [d['pipeline'] for d in loader[0]['dataset']['datasets']]


# ------------------------------------------------ the one declaration --

def test_deterministic_pipeline_leaves_no_declared_random_transform():
    randoms = every_random_transform()
    pipeline = [dict(type='DecordInit'),
                dict(type='SegmentPaceSampler', clip_len=4),
                dict(type='DecordDecode'), *randoms,
                dict(type='MultiViewClips',
                     sampler=dict(type='SampleFrames', clip_len=4),
                     transforms=every_random_transform()),
                dict(type='PackActionInputs')]
    out = deterministic_pipeline(pipeline, seed=2)
    assert not set(types(out)) & set(RANDOM_TRANSFORMS)
    assert types(pipeline).count('Flip') == 4  # the input is left alone
    assert out[1] == dict(type='SegmentPaceSampler', clip_len=4,
                          test_mode=True, seed=2, test_start='random')
    # MMAction2's sampler: test mode (the centre clip), no seed argument
    views = [t for t in out if t['type'] == 'MultiViewClips'][0]
    assert views['sampler'] == dict(type='SampleFrames', clip_len=4,
                                    test_mode=True)
    assert dict(type='CenterCrop', crop_size=32) in views['transforms']
    assert dict(type='CenterCrop', crop_size=24) in out  # group unwrapped


def test_random_resized_crop_becomes_the_centre_crop_of_its_size():
    out = deterministic_pipeline([
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(112, 112), keep_ratio=False),
        dict(type='RandomResizedCrop'), dict(type='FormatShape')])
    assert out == [dict(type='Resize', scale=(-1, 112)),
                   dict(type='CenterCrop', crop_size=(112, 112)),
                   dict(type='FormatShape')]  # no Resize after: dropped


def test_a_newly_declared_random_transform_leaves_all_three_passes(
        monkeypatch):
    """Declared once, in RANDOM_TRANSFORMS, a new random transform is
    replaced by held-out evaluation, Vi²CLR's clustering pass and MLFO's
    held-out draws alike: none of them keeps a list of its own."""
    def replace(transform, rest):
        return [dict(type='Stand-in', of=transform['strength'])], rest

    monkeypatch.setitem(RANDOM_TRANSFORMS, 'RandomBlur', replace)
    blur = dict(type='RandomBlur', strength=3)
    clip = CLIP[:7] + [blur] + CLIP[7:]

    vspp = [dict(t, type='SegmentPaceSampler') if t['type'] ==
            'SampleFrames' else t for t in clip]
    held_out = held_out_pipelines(pretext_val(vspp, {}, ('pace', ), 2))
    clusters = cluster_pipeline(vi2clr_train_pipeline(clip))
    mlfo = mlfo_pipeline(clip, clip_size=32)
    mlfo[1]['transforms'].insert(-1, blur)
    mlfo_held_out = held_out_pipelines(mlfo_pretext_val(mlfo, {}, 2))
    for name, pipeline in [('pretext_val', held_out[0]),
                           ('pretext_val', held_out[1]),
                           ('cluster_pipeline', clusters),
                           ('mlfo_pretext_val', mlfo_held_out[0]),
                           ('mlfo_pretext_val', mlfo_held_out[1])]:
        assert 'RandomBlur' not in types(pipeline), name
        assert types(pipeline).count('Stand-in') == 1, name


# ----------------------------------- what each pass makes of a pipeline --

def test_cluster_pipeline_one_centre_clip_one_view():
    out = cluster_pipeline(vi2clr_train_pipeline(CLIP))
    assert out == [
        dict(type='DecordInit'),
        dict(type='MultiViewClips',
             sampler=dict(type='SampleFrames', clip_len=4, test_mode=True,
                          num_clips=1),
             decoder='auto',
             transforms=[dict(type='Resize', scale=(-1, 40)),
                         dict(type='CenterCrop', crop_size=32),
                         dict(type='FormatShape', input_format='NCTHW')],
             num_views=1, differ_keys=()),
        dict(type='PackActionInputs', meta_keys=cfg.PACK_META_KEYS)]
    with pytest.raises(KeyError, match='MultiViewClips'):
        cluster_pipeline(CLIP)


def test_mlfo_pretext_val_seeded_window_centre_crop():
    loader, evaluator, loop = mlfo_pretext_val(
        mlfo_pipeline(CLIP, clip_size=32), dict(ann_file='a.txt'), draws=2)
    assert evaluator['tasks'] == ('instance', )
    for seed, pipeline in enumerate(held_out_pipelines((loader, ))):
        views = pipeline[1]
        assert views['type'] == 'ViewsOfOneDraw' and views['num_views'] == 3
        assert views['sampler'] == dict(
            type='MLFOWindowSampler', clip_len=16, test_mode=True,
            seed=seed, test_start='random')
        assert views['transforms'] == [
            dict(type='Resize', scale=(-1, 40)),
            dict(type='Resize', scale=(-1, 32)),
            dict(type='CenterCrop', crop_size=(32, 32)),
            dict(type='FormatShape', input_format='NCTHW')]
    with pytest.raises(KeyError, match='ViewsOfOneDraw'):
        mlfo_pretext_val(CLIP, {})


# ------------------------------------------------------ import layering --

SUBPACKAGES = ('cfg', 'datasets', 'engine', 'evaluation', 'models', 'utils')


def subpackage_imports(root):
    """``{(importer, imported): 'file:line'}`` for every import, at module
    level or inside a function, from one subpackage of the package at
    ``root`` (e.g. ``.../mmauxskd``) into another."""
    package = osp.basename(root)
    edges = {}
    for path in glob.glob(osp.join(root, '**', '*.py'), recursive=True):
        rel = osp.relpath(path, osp.dirname(root))[:-3].split(osp.sep)
        if len(rel) < 3 or rel[1] not in SUBPACKAGES:
            continue
        here = rel[:-1]  # the file's package
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level:
                base = here[:len(here) - node.level + 1]
                names = ['.'.join(base + [node.module or ''])]
                if not node.module:  # from .. import cfg
                    names = [f'{names[0]}{a.name}' for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module]
            else:
                continue
            for name in names:
                parts = name.split('.')
                if (parts[0] == package and len(parts) > 1
                        and parts[1] in SUBPACKAGES and parts[1] != rel[1]):
                    edges.setdefault((rel[1], parts[1]),
                                     f'{"/".join(rel)}.py:{node.lineno}')
    return edges


def find_cycle(edges):
    """A cycle ``[a, b, ..., a]`` of the ``(importer, imported)`` graph, or
    ``None``."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def walk(node, path):
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                return path[path.index(nxt):] + [nxt]
            found = walk(nxt, path + [nxt])
            if found:
                return found
        return None

    for start in sorted(graph):
        found = walk(start, [start])
        if found:
            return found
    return None


def test_subpackages_import_each_other_without_a_cycle():
    edges = subpackage_imports(osp.join(ROOT, 'mmauxskd'))
    assert ('datasets', 'cfg') not in edges, edges[('datasets', 'cfg')]
    cycle = find_cycle(edges)
    assert cycle is None, ' -> '.join(cycle) + ': ' + str(
        {e: w for e, w in edges.items() if e[0] in cycle and e[1] in cycle})


def test_the_import_scan_sees_lazy_and_relative_imports(tmp_path):
    """The layering test's parser finds a cycle made of a function-level
    relative import and a module-level absolute one."""
    root = tmp_path / 'pkg'
    (root / 'datasets' / 'transforms').mkdir(parents=True)
    (root / 'cfg').mkdir()
    (root / 'datasets' / 'transforms' / 'views.py').write_text(
        'def f():\n    from ...cfg.heldout import pretext_val\n')
    (root / 'cfg' / 'heldout.py').write_text(
        'from pkg.datasets.transforms import base_sampler\n')
    edges = subpackage_imports(str(root))
    assert set(edges) == {('datasets', 'cfg'), ('cfg', 'datasets')}
    assert find_cycle(edges) == ['cfg', 'datasets', 'cfg']
    (root / 'cfg' / 'heldout.py').write_text('from .. import models\n')
    assert find_cycle(subpackage_imports(str(root))) is None

"""Properties of the config tree that keep it readable: bases by concern
(configs/_base_/{models,datasets,schedules}/, default_runtime.py) and
method bases (configs/<method>/_base_/) that inherit nothing (a base reads
another's values with config_variable), no leaf more than three files
deep; leaves
change inherited lists by what an entry is (its type), never by where it
sits; the files a config's comments name exist."""
import ast
import glob
import io
import os.path as osp
import re
import tokenize

import pytest
from mmengine.config import Config

from mmauxskd.cfg import (config_variable, config_variables, frame_loaders,
                          to_rawframes)

from conftest import ROOT
from test_docs_paths import _expand  # a/{b,c}.py -> a/b.py, a/c.py

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                           recursive=True))


BASE_ROOT = osp.join(ROOT, 'configs', '_base_')


def bases_of(path):
    """The files a config's ``_base_`` names, as absolute paths (read with
    ast: the config is not executed)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            names = ast.literal_eval(node.value)
            names = [names] if isinstance(names, str) else names
            return [osp.normpath(osp.join(osp.dirname(path), n))
                    for n in names]
    return []


def reachable_bases(path):
    """Every file ``path`` inherits from, through any number of levels."""
    found, todo = set(), bases_of(path)
    while todo:
        base = todo.pop()
        if base not in found:
            found.add(base)
            todo += bases_of(base)
    return found


def longest_chain(path):
    """The files on the longest ``_base_`` chain from ``path``, ``path``
    first: its depth is the length (a config without bases: 1)."""
    chains = [longest_chain(base) for base in bases_of(path)]
    return [path] + max(chains, key=len, default=[])


def is_base(path):
    """A file in a ``_base_`` folder (configs/_base_/..., a method's
    configs/<method>/_base_/); every other config is a leaf."""
    return '_base_' in osp.relpath(path, ROOT).split(osp.sep)


def test_longest_chain_follows_every_base(tmp_path):
    (tmp_path / '_base_').mkdir()
    (tmp_path / '_base_' / 'a.py').write_text("_base_ = []\nx = 1\n")
    (tmp_path / '_base_' / 'b.py').write_text("_base_ = ['./a.py']\n")
    (tmp_path / 'leaf.py').write_text(
        "_base_ = ['./_base_/a.py', './_base_/b.py']\n")
    (tmp_path / 'variant.py').write_text("_base_ = './leaf.py'\n")
    names = [osp.relpath(p, tmp_path)
             for p in longest_chain(str(tmp_path / 'variant.py'))]
    assert names == ['variant.py', 'leaf.py', '_base_/b.py', '_base_/a.py']
    assert len(longest_chain(str(tmp_path / '_base_' / 'a.py'))) == 1


def test_every_base_inherits_nothing():
    """A base is one level: where it needs another base's values it reads
    them (config_variable), so a real leaf is 2 levels deep."""
    bases = [p for p in CONFIGS if is_base(p)]
    assert len(bases) > 30
    chained = {osp.relpath(p, ROOT): [osp.relpath(b, ROOT)
                                      for b in bases_of(p)]
               for p in bases if bases_of(p)}
    assert not chained, chained


def test_no_leaf_is_more_than_three_files_deep():
    """Bases 1, real leaves 2, variants, demos and evaluation configs 3 (one
    real leaf plus bases): no config inherits a variant."""
    leaves = [p for p in CONFIGS if not is_base(p)]
    assert len(leaves) > 80
    deep = {osp.relpath(p, ROOT): ' -> '.join(
        osp.relpath(c, ROOT) for c in longest_chain(p)[1:])
        for p in leaves if len(longest_chain(p)) > 3}
    assert not deep, deep


def test_config_variables_merge_changes_as_inheriting_would(tmp_path):
    other = tmp_path / 'other.py'
    other.write_text("loader = dict(batch_size=8, dataset=dict(ann_file='a', "
                     "data_prefix=dict(video='v')))\nname = 'x'\n")
    loader, name = config_variables(
        str(other), 'loader', 'name',
        loader=dict(dataset=dict(ann_file='b')))
    assert loader == dict(batch_size=8, dataset=dict(
        ann_file='b', data_prefix=dict(video='v')))
    assert name == 'x'
    replaced = config_variable(str(other), 'loader', dataset=dict(
        data_prefix=dict(_delete_=True, img='f')))
    assert replaced.dataset.data_prefix == dict(img='f')
    # the file's own value is untouched for the next reader
    assert config_variable(str(other), 'loader').dataset.ann_file == 'a'
    with pytest.raises(KeyError, match='loader'):
        config_variables(str(other), 'name', loader=dict(batch_size=1))


def test_frame_loaders_keep_the_video_sampling_on_frames():
    videos = osp.join(BASE_ROOT, 'datasets', 'ucf101_split1_videos.py')
    ref = Config.fromfile(videos)
    loaders = frame_loaders(videos, 'data/frames', 'tr.txt', 'te.txt')
    for loader, video, ann_file in zip(
            loaders, (ref.train_dataloader, ref.val_dataloader,
                      ref.test_dataloader), ('tr.txt', 'te.txt', 'te.txt')):
        dataset = loader['dataset']
        assert dataset['type'] == 'RobustRawframeDataset'
        assert dataset['ann_file'] == ann_file
        assert dataset['data_prefix'] == dict(img='data/frames')
        assert dataset['pipeline'] == to_rawframes(video.dataset.pipeline)
        assert 'RawFrameDecode' in [t['type'] for t in dataset['pipeline']]
        assert loader['batch_size'] == video['batch_size']


def test_model_schedule_and_runtime_bases_inherit_nothing():
    concern = glob.glob(osp.join(BASE_ROOT, 'models', '*.py')) + glob.glob(
        osp.join(BASE_ROOT, 'schedules', '*.py')) + [
            osp.join(BASE_ROOT, 'default_runtime.py')]
    assert len(concern) > 10
    chained = {osp.relpath(p, ROOT): bases_of(p) for p in concern
               if bases_of(p)}
    assert not chained, chained
    # R3D-18 is its own backbone, not a change on top of R(2+1)D-10
    assert not bases_of(osp.join(BASE_ROOT, 'models', 'r3d_18.py'))


def test_kinetics_does_not_inherit_a_ucf101_base():
    for name in ('k400_videos.py', 'k100_videos.py'):
        reached = reachable_bases(osp.join(BASE_ROOT, 'datasets', name))
        assert not [b for b in reached if 'ucf101' in b], (name, reached)


def test_method_bases_inherit_concern_bases_only():
    method_bases = [p for p in CONFIGS if '_base_' in p
                    and not p.startswith(BASE_ROOT + osp.sep)]
    assert len(method_bases) >= 10
    wrong = {osp.relpath(p, ROOT): [osp.relpath(b, ROOT) for b in bases_of(p)
                                    if not b.startswith(BASE_ROOT + osp.sep)]
             for p in method_bases}
    assert not any(wrong.values()), wrong


def _rooted_at_base(node):
    """Whether ``node`` is ``_base_.<name>`` (or deeper inside it)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name) and node.id == '_base_'


def _positional(index):
    """An int (``[0]``, ``[-1]``) or a slice (``[:-1]``) subscript."""
    if isinstance(index, ast.Slice):
        return True
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    return isinstance(index, ast.Constant) and isinstance(index.value, int)


def positional_edits(source):
    """``_base_.<name>[int or slice]`` subscripts in a config's source."""
    return [ast.unparse(node) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Subscript) and _rooted_at_base(node.value)
            and _positional(node.slice)]


def test_positional_edits_are_found():
    assert sorted(positional_edits(
        'x = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1])]\n'
        'y = _base_.train_pipeline[2]')) == [
            '_base_.custom_hooks[-1]', '_base_.custom_hooks[:-1]',
            '_base_.train_pipeline[2]']
    assert positional_edits("g = _base_.demo_geometry['Resize']\n"
                            'h = hooks[-1]') == []


def test_no_config_edits_an_inherited_list_by_position():
    found = {}
    for path in CONFIGS:
        with open(path, encoding='utf-8') as f:
            edits = positional_edits(f.read())
        if edits:
            found[osp.relpath(path, ROOT)] = edits
    assert len(CONFIGS) > 50
    assert not found, found


# files a comment may name that are not in this repository: the VCOP
# authors' training script (xudejing/video-clip-order-prediction)
EXTERNAL = {'train_vcop.py'}
REPO_PATH = re.compile(r'(?<![\w/.-])((?:configs|tools|docs)/[\w.{},/-]+)')
RELATIVE = re.compile(r'(?<![\w/.-])((?:\.\.?/)+[\w.{},/-]+|_base_/[\w.{},/-]+)')
BARE_PY = re.compile(r'(?<![\w/.-])([\w-]+(?:\.[\w-]+)*\.py)\b')
CHECKPOINT = re.compile(r'work_dirs/([\w.-]+)/((epoch|iter)_(\d+)\.pth)')


def _comments(path):
    with open(path, encoding='utf-8') as f:
        source = f.read()
    return ''.join(tok.string + '\n' for tok in tokenize.generate_tokens(
        io.StringIO(source).readline) if tok.type == tokenize.COMMENT)


def _relative_roots(path):
    """Where a relative path in ``path``'s comments may start: its folder,
    the folder of the leaves a ``_base_`` file is written for (usage
    examples are written from a leaf), and a method folder."""
    folder = osp.dirname(path)
    leaf = folder
    while osp.basename(leaf) == '_base_':
        leaf = osp.dirname(leaf)
    return [folder, leaf, osp.join(ROOT, 'configs'),
            osp.join(ROOT, 'configs', 'vspp')]


def checkpoints_written(cfg):
    """The ``epoch_N.pth`` / ``iter_N.pth`` names the config's loop and
    CheckpointHook write."""
    loop, hook = cfg.train_cfg, cfg.default_hooks.checkpoint
    by_epoch = loop.get('type', 'EpochBasedTrainLoop') != 'IterBasedTrainLoop'
    last = loop.max_epochs if by_epoch else loop.max_iters
    every = hook.get('interval', 1)
    steps = set(range(every, last + 1, every))
    if hook.get('save_last', True):
        steps.add(last)
    prefix = 'epoch' if by_epoch else 'iter'
    return {f'{prefix}_{n}.pth' for n in steps}


def missing_in_comments(path, configs_by_stem):
    text = _comments(path)
    missing = []
    for raw in REPO_PATH.findall(text):
        for name in _expand(raw.rstrip('.,:;)').split('#')[0]):
            if not osp.exists(osp.join(ROOT, name)):
                missing.append(name)
    for raw in RELATIVE.findall(text):
        for name in _expand(raw.rstrip('.,:;)')):
            if not any(osp.exists(osp.normpath(osp.join(root, name)))
                       for root in _relative_roots(path)):
                missing.append(name)
    names = {osp.basename(p) for p in glob.glob(
        osp.join(ROOT, '**', '*.py'), recursive=True)}
    missing += [n for n in BARE_PY.findall(text)
                if n not in names and n not in EXTERNAL]
    for stem, ckpt, _, _ in CHECKPOINT.findall(text):
        if stem not in configs_by_stem:
            missing.append(f'work_dirs/{stem}/{ckpt}: no config {stem}.py')
        elif ckpt not in checkpoints_written(
                Config.fromfile(configs_by_stem[stem])):
            missing.append(f'work_dirs/{stem}/{ckpt}: its loop never '
                           'writes it')
    return missing


def test_checkpoints_written_follow_the_loop():
    demo = Config.fromfile(osp.join(
        ROOT, 'configs', 'auxskd',
        'auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py'))
    written = checkpoints_written(demo)
    assert 'epoch_34.pth' in written and 'iter_400.pth' not in written
    assert 'iter_200.pth' not in written


def test_missing_paths_are_found(tmp_path):
    leaf = tmp_path / 'leaf.py'
    leaf.write_text(
        '# see configs/nowhere.py, docs/auxskd.md#chaining and\n'
        '# ../_base_/nothing.py and no_such_config.py:\n'
        '#   --pretrained work_dirs/auxskd_r2plus1d-r10-w8_1xb16-2x16-'
        '200it_demo-rgb/iter_400.pth\n'
        'x = 1  # tools/train.py\n')
    stems = {osp.splitext(osp.basename(p))[0]: p for p in CONFIGS}
    assert missing_in_comments(str(leaf), stems) == [
        'configs/nowhere.py', '../_base_/nothing.py', 'no_such_config.py',
        'work_dirs/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb/'
        'iter_400.pth: its loop never writes it']


def test_paths_named_in_config_comments_exist():
    stems = {osp.splitext(osp.basename(p))[0]: p for p in CONFIGS}
    found = {}
    for path in CONFIGS:
        missing = missing_in_comments(path, stems)
        if missing:
            found[osp.relpath(path, ROOT)] = missing
    assert not found, found


def test_mlfo_runtime_carries_every_runtime_variable():
    """MLFO's runtime base reads default_runtime.py's variables by name (a
    base inherits nothing); one added there later must be read here too,
    or MLFO's leaves would silently run without it."""
    runtime = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'default_runtime.py'))
    mlfo = Config.fromfile(
        osp.join(ROOT, 'configs', 'mlfo', '_base_', 'mlfo_runtime.py'))
    missing = sorted(set(runtime.keys()) - set(mlfo.keys()))
    assert not missing, missing
    for key in ('default_scope', 'custom_imports', 'env_cfg', 'randomness'):
        assert mlfo[key] == runtime[key], key
    assert mlfo.default_hooks.checkpoint.type == \
        runtime.default_hooks.checkpoint.type

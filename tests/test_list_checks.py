"""Lists and configs are checked at start: malformed list lines named by
file and line, empty lists and loaders without a batch explained, and the
config key of a failed model or optimizer build named."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmaction.registry import DATASETS

from conftest import demo_overrides, load_tool, write_config

from mmauxskd.datasets.robust import ListFormatError
from mmauxskd.utils.cli import ConfigBuildError

DEMO = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'
VSPP = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'


def _lines(data, split='train'):
    with open(osp.join(data, f'demo_{split}_list_videos.txt')) as f:
        return f.read().splitlines()


def _write(tmp_path, lines, name='list.txt', raw=None):
    path = tmp_path / name
    path.write_bytes(raw if raw is not None else
                     ('\n'.join(lines) + '\n').encode())
    return str(path)


def _build(cfg_path, data, ann, loader='train_dataloader'):
    cfg = Config.fromfile(cfg_path)
    dataset = cfg[loader].dataset
    dataset.update(ann_file=ann,
                   data_prefix=dict(video=osp.join(data, 'videos')))
    return DATASETS.build(dataset)


@pytest.fixture
def finetune(tiny_data, tmp_path):
    return write_config(tmp_path, DEMO, demo_overrides(tiny_data))


def test_labelled_list_lines_are_named_by_file_and_line(
        tiny_data, tmp_path, finetune):
    good = _lines(tiny_data)
    assert len(_build(finetune, tiny_data, _write(tmp_path, good))) == 8
    bad = list(good)
    bad[2] = bad[2].split()[0]  # the label left out: MMAction2 reads -1
    bad[4] += ' 7'  # an extra column
    bad[5] = bad[5].split()[0] + ' x'
    ann = _write(tmp_path, bad)
    with pytest.raises(ListFormatError) as err:
        _build(finetune, tiny_data, ann)
    text = str(err.value)
    assert ann in text and '3 malformed line(s) of 8' in text
    assert 'line 3: ' in text and 'no label' in text
    assert 'line 5: ' in text and "extra column '7'" in text
    assert "line 6: " in text and "label 'x' is not an integer" in text
    assert 'line 1:' not in text
    # the test split is labelled as well (test_mode)
    with pytest.raises(ListFormatError, match='line 3: .*no label'):
        _build(finetune, tiny_data, ann, 'test_dataloader')


def test_many_bad_lines_are_counted_bad_bytes_and_empty_lists(
        tiny_data, tmp_path, finetune):
    names = [line.split()[0] for line in _lines(tiny_data)] * 3
    ann = _write(tmp_path, names)  # 24 lines, no label
    with pytest.raises(ListFormatError) as err:
        _build(finetune, tiny_data, ann)
    text = str(err.value)
    assert '24 malformed line(s) of 24' in text
    assert 'line 10:' in text and 'line 11:' not in text
    assert '... and 14 more' in text
    raw = ('\n'.join(_lines(tiny_data)[:3]) + '\n').encode() + \
        b'train/caf\xe9.mp4 1\n'
    ann = _write(tmp_path, None, 'latin1.txt', raw=raw)
    with pytest.raises(ListFormatError,
                       match=r"line 4: .*not UTF-8: byte b'\\xe9' at column"):
        _build(finetune, tiny_data, ann)
    ann = _write(tmp_path, None, 'empty.txt', raw=b'')
    with pytest.raises(ListFormatError, match='empty.txt is empty'):
        _build(finetune, tiny_data, ann)


def test_pretext_lists_may_omit_labels_but_not_add_columns(
        tiny_data, tmp_path):
    names = [line.split()[0] for line in _lines(tiny_data, 'unlabelled')]
    cfg = osp.join(osp.dirname(osp.dirname(__file__)), VSPP)
    dataset = _build(cfg, tiny_data, _write(tmp_path, names))
    assert len(dataset) == 8 and not dataset.labelled
    # as make_demo_data writes them: label -1
    dataset = _build(cfg, tiny_data, osp.join(
        tiny_data, 'demo_unlabelled_list_videos.txt'))
    assert len(dataset) == 8
    names[1] += ' 3 4'
    with pytest.raises(ListFormatError, match="line 2: .*extra column '4'"):
        _build(cfg, tiny_data, _write(tmp_path, names))


def test_rawframe_lists_are_checked_too(tiny_data, tmp_path):
    from mmauxskd.datasets.robust import check_list_file
    lines = ['a 40 1', 'b 40', 'c x 1', 'd 40 1 2']
    bad, total = check_list_file(_write(tmp_path, lines), 'rawframes')
    assert total == 4
    assert [(n, p) for n, _, p in bad] == [
        (2, "no label (a labelled list: '<dir> <frame count> <label>')"),
        (3, "frame count 'x' is not an integer"),
        (4, "4 fields, expected '<dir> <frame count> <label>': extra "
            "column '2'")]


def test_integrity_check_flags_the_same_lines(tiny_data, tmp_path):
    check_integrity = load_tool('data/check_integrity.py')
    lines = _lines(tiny_data)[:3]
    lines.insert(1, lines[0].split()[0])  # labelled list, a label missing
    lines.append(lines[0] + ' extra')
    report = str(tmp_path / 'bad.txt')
    assert check_integrity.main([
        _write(tmp_path, lines), osp.join(tiny_data, 'videos'),
        '--type', 'videos', '--min-frames', '8', '--workers', '1',
        '--no-progress', '--report', report]) == 1
    with open(report) as f:
        problems = dict(line.rstrip('\n').split('\t') for line in f)
    assert problems[lines[1]].startswith('line 2: no label')
    assert "line 5: 3 fields" in problems[lines[4]]
    assert len(problems) == 2
    # an unlabelled list (labels left out) passes
    names = [line.split()[0] for line in _lines(tiny_data)[:3]]
    assert check_integrity.main([
        _write(tmp_path, names, 'u.txt'), osp.join(tiny_data, 'videos'),
        '--type', 'videos', '--min-frames', '8', '--workers', '1',
        '--no-progress']) == 0


def _train(cfg_path, tmp_path, *options):
    tool = load_tool('train.py')
    argv = [cfg_path, '--work-dir', str(tmp_path / 'work')]
    if options:
        argv += ['--cfg-options', *options]
    return tool.main(argv)


def test_dataset_smaller_than_a_batch_is_explained(
        tiny_data, tmp_path, finetune):
    # drop_last as auxSKD's and MLFO's configs set it
    ann = _write(tmp_path, _lines(tiny_data)[:3])
    with pytest.raises(ValueError) as err:
        _train(finetune, tmp_path, f'train_dataloader.dataset.ann_file={ann}',
               'train_dataloader.batch_size=4',
               'train_dataloader.drop_last=True')
    text = str(err.value)
    assert '3 sample(s)' in text and 'batch_size is 4' in text
    assert 'drop_last=True' in text


@pytest.mark.parametrize('option, key, cause', [
    ('model.backbone.stage_blocks=(1,1,1)', 'model.backbone.stage_blocks=',
     AssertionError),
    ('model.backbone.depth=19', 'building model.backbone', KeyError),
    ('optim_wrapper.optimizer.lr=abc', "optim_wrapper.optimizer.lr='abc'",
     TypeError),
])
def test_config_build_errors_name_the_key(finetune, tmp_path, option, key,
                                          cause):
    with pytest.raises(ConfigBuildError) as err:
        _train(finetune, tmp_path, option)
    assert str(err.value).startswith(key)
    assert isinstance(err.value.__cause__, cause)  # the original, kept
    assert err.value.__cause__.__traceback__ is not None


def test_test_tool_names_the_key_too(finetune, tmp_path):
    tool = load_tool('test.py')
    with pytest.raises(ConfigBuildError, match=r'^model\.backbone\.'
                       r'stage_blocks=\(1, 1, 1\): AssertionError'):
        tool.main([finetune, str(tmp_path / 'none.pth'), '--work-dir',
                   str(tmp_path / 'w'), '--cfg-options',
                   'model.backbone.stage_blocks=(1,1,1)'])


def test_unrelated_errors_pass_unchanged(finetune, tmp_path):
    from mmauxskd.utils.cli import config_errors_named
    cfg = Config.fromfile(finetune)
    with pytest.raises(ZeroDivisionError):
        with config_errors_named(cfg):
            1 / 0
    runner = Runner.from_cfg(dict(cfg, work_dir=str(tmp_path / 'w')))
    assert runner.model is not None

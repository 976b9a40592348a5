"""What README.md, model_zoo.md and docs/*.md name exists: repository
paths and configs, links and their anchors, the flags of every tool
command line, and the classes named in backticks (``tests/doc_checker.py``
reads them; its docstring says how)."""
import importlib
import os.path as osp
import re

import pytest

import doc_checker
from conftest import ROOT
from doc_checker import alternatives as _expand  # noqa: F401  (other tests)
from doc_checker import (EXTERNAL, EXTERNAL_FLAGS, NOT_CODE, PATH,
                         check_doc, command_flags, doc_files, tool_flags)


def _named(doc):
    """The repository paths ``doc`` names (``{a,b}`` expanded)."""
    with open(osp.join(ROOT, doc), encoding='utf-8') as f:
        text = f.read()
    found = set()
    for raw in PATH.findall(text):
        found.update(_expand(raw.rstrip('.,')))
    return sorted(found)


def _report(problems):
    return '\n'.join(f'{p.doc}:{p.line}: {p.kind} {p.name!r}: {p.why}'
                     for p in problems)


@pytest.mark.parametrize('doc', doc_files())
def test_doc_names_only_what_exists(doc):
    problems = check_doc(doc)
    assert not problems, '\n' + _report(problems)


def test_every_user_doc_is_checked():
    docs = doc_files()
    assert {'README.md', 'model_zoo.md', 'docs/design.md',
            'docs/vi2clr.md'} <= set(docs) and len(docs) >= 14


PLANTED = """\
# Planted

See configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py and
configs/vspp/no_such_config.py, [the design](design.md#configs) and
[nothing](design.md#no-such-section), `vspp-z9_r3d-18_2xb15-16x1x1-20e_k100-rgb.py`.

```bash
python tools/train.py CONFIG --resume --pretrained X --pretrianed Y
bash tools/demo.sh --arms all --armz all   # --dry-run shows the plan
tools/dist_train.sh CONFIG 2 --work-dir W --no-such-train-flag
bash tools/setup_env.sh --cuda --gpu
pip install --upgrade --whatever mmengine
```

`python tools/analysis/retrieval.py CONFIG CKPT --prefix image_backbone.`,
`tools/test.py CONFIG CKPT --dump x.pkl --dumb x.pkl`, `--seeds`,
`--not-a-flag-anywhere`.

`SegmentPaceSampler`, `Recognizer3D`, `I3DHead`, `ClipColorJitter`,
`SegmentPaceSamplr`, `MomentumContrast.enqueue_later`,
`MomentumContrast.no_such_method`, `mmauxskd.cfg.update_pipeline`,
`mmauxskd.cfg.no_such_helper`, `BatchNorm1d`, `tests/test_vspp.py::nothing`.

```python
dict(type='PyAVSeekInit'), dict(type='NoSuchTransform')
```
"""


def test_planted_errors_are_reported_and_nothing_else():
    """A wrong path, config name, anchor, flag (of the tool, of a wrapper's
    target, of a wrapper's own, standing alone), class, method and module:
    each reported; the true ones beside them are not."""
    found = {(p.kind, p.name)
             for p in check_doc('docs/planted.md', text=PLANTED)}
    assert found == {
        ('path', 'configs/vspp/no_such_config.py'),
        ('path', 'vspp-z9_r3d-18_2xb15-16x1x1-20e_k100-rgb.py'),
        ('anchor', 'design.md#no-such-section'),
        ('flag', '--pretrianed'),
        ('flag', '--armz'),
        ('flag', '--no-such-train-flag'),
        ('flag', '--gpu'),
        ('flag', '--dumb'),
        ('flag', '--not-a-flag-anywhere'),
        ('class', 'SegmentPaceSamplr'),
        ('class', 'MomentumContrast.no_such_method'),
        ('class', 'mmauxskd.cfg.no_such_helper'),
        ('class', 'NoSuchTransform'),
        ('path', 'tests/test_vspp.py::nothing'),
    }, found


def test_a_planted_flag_is_named_with_its_tool_and_line():
    problems = check_doc('docs/x.md', text='a\n\n`tools/train.py C --pretrianed X`\n')
    assert [(p.line, p.kind, p.name, p.why) for p in problems] == [
        (3, 'flag', '--pretrianed', 'tools/train.py does not define it')]


def test_a_checkpoint_its_config_never_writes_is_reported():
    stem = 'vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb'
    text = (f'`--pretrained work_dirs/{stem}/epoch_20.pth` and '
            f'`work_dirs/{stem}/epoch_200.pth`\n')
    assert [p.name for p in check_doc('docs/x.md', text=text)] == [
        f'work_dirs/{stem}/epoch_200.pth']


def test_tool_flags_come_from_argparse_and_the_wrappers():
    tools = osp.join(ROOT, 'tools')
    train = tool_flags(osp.join(tools, 'train.py'))
    # its own add_argument calls, and add_common_args' (mmauxskd.utils.cli)
    assert {'--resume', '--pretrained', '--work-dir', '--decoder',
            '--cfg-options', '--help'} <= train
    assert '--arms' not in train
    # prep_common.doc_parser adds --no-progress to the data tools
    assert '--no-progress' in tool_flags(
        osp.join(tools, 'data', 'resize_videos.py'))
    # wrappers: what they forward "$@" to, and their own case patterns
    assert {'--arms', '--seeds'} <= tool_flags(osp.join(tools, 'demo.sh'))
    assert train <= tool_flags(osp.join(tools, 'dist_train.sh'))
    assert '--dump' in tool_flags(osp.join(tools, 'slurm_test.sh'))
    assert {'--cuda', '--dry-run'} <= tool_flags(
        osp.join(tools, 'setup_env.sh'))
    assert '--durations' in tool_flags(osp.join(tools, 'run_tests.sh'))
    assert '--dump' in tool_flags(osp.join(tools, 'dist_launch.sh'),
                                  first_arg='test.py')


def test_commands_of_other_programs_are_not_checked():
    assert command_flags('pip install --upgrade --anything x') == []
    assert command_flags('GPUS=8 tools/slurm_train.sh P J C --resume') == [
        ('tools/slurm_train.sh', '--resume', True)]


def test_the_allowlists_are_true_and_needed():
    """Each EXTERNAL name is in the module named for it (where that is
    installed) and neither registered nor mmauxskd's; every allowlisted
    name and flag appears in a doc (else it goes)."""
    registered = doc_checker.registered_names()
    ours = doc_checker.mmauxskd_names()
    for name, module in EXTERNAL.items():
        assert name not in registered and name not in ours, name
        try:
            lib = importlib.import_module(module)
        except ImportError:
            continue  # mmpretrain, full mmcv: not installed here
        assert hasattr(lib, name), (name, module)
    for name in NOT_CODE:
        assert name not in registered and name not in ours, name
    text = ''
    for doc in doc_files():
        with open(osp.join(ROOT, doc), encoding='utf-8') as f:
            text += f.read()
    unused = [n for n in list(EXTERNAL) + list(NOT_CODE)
              if not re.search(rf'`[^`]*\b{n}\b[^`]*`', text)]
    unused += [f for f in EXTERNAL_FLAGS if f not in text]
    assert not unused, unused

"""docs/training.md lists every flag of tools/train.py and tools/test.py,
as their argument parsers define them (a flag added to a tool without its
line in the docs fails here)."""
import os.path as osp
import re

import pytest

from conftest import ROOT, load_tool


def _flags(tool, capsys):
    with pytest.raises(SystemExit):
        tool.parse_args(['--help'])
    return set(re.findall(r'(?<![\w-])(--[a-z][\w-]*)',
                          capsys.readouterr().out)) - {'--help'}


def _section(title):
    with open(osp.join(ROOT, 'docs', 'training.md'), encoding='utf-8') as f:
        text = f.read()
    start = text.index(f'## {title}\n')
    end = text.find('\n## ', start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize('name', ['train.py', 'test.py'])
def test_every_flag_is_documented(name, capsys):
    flags = _flags(load_tool(name), capsys)
    assert {'--work-dir', '--cfg-options', '--launcher'} <= flags
    section = _section(f'Every flag of tools/{name}')
    documented = set(re.findall(r'`(--[a-z][\w-]*)', section))
    assert flags - documented == set(), 'undocumented flags'
    assert documented - flags == set(), 'documented flags the tool lacks'

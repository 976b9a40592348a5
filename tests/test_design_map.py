"""docs/design.md's module map is complete and true: every module of the
package appears in it, and every file it names exists."""
import os
import os.path as osp
import re

from conftest import ROOT
from test_docs_paths import _named

DESIGN = osp.join(ROOT, 'docs', 'design.md')


def _map_block():
    """The code block of design.md that starts with ``mmauxskd/``."""
    with open(DESIGN, encoding='utf-8') as f:
        text = f.read()
    match = re.search(r'```\n(mmauxskd/\n.*?)```', text, re.S)
    assert match, 'docs/design.md has no module map starting "mmauxskd/"'
    return match.group(1)


def _mapped_files(block):
    """``package/module.py`` paths of the map: a tree whose indentation
    gives each name's folder (``name/`` lines open a folder)."""
    files, stack = set(), []  # stack of (indent, folder)
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        first = line.split()[0]
        here = '/'.join(folder for _, folder in stack)
        if first.endswith('/'):
            stack.append((indent, first.rstrip('/')))
            continue
        # the names before the description (``vspp.py vcop.py  ...``)
        for token in line.split():
            if not token.endswith('.py'):
                break
            files.add(f'{here}/{token}' if here else token)
    return files


def _package_modules():
    out = set()
    for folder, _, names in os.walk(osp.join(ROOT, 'mmauxskd')):
        if '__pycache__' in folder:
            continue
        for name in names:
            if name.endswith('.py') and name != '__init__.py':
                out.add(osp.relpath(osp.join(folder, name), ROOT))
    return out


def test_every_module_is_in_the_map():
    mapped = _mapped_files(_map_block())
    missing = sorted(_package_modules() - mapped)
    assert not missing, f'modules missing from docs/design.md: {missing}'


def test_every_file_of_the_map_exists():
    mapped = _mapped_files(_map_block())
    assert len(mapped) > 40
    gone = sorted(p for p in mapped if not osp.exists(osp.join(ROOT, p)))
    assert not gone, f'docs/design.md names files that do not exist: {gone}'


def test_every_path_design_md_names_exists():
    named = _named('docs/design.md')
    gone = [p for p in named if not osp.exists(osp.join(ROOT, p))]
    assert not gone, gone


def test_the_parser_reads_folders_and_several_names_per_line():
    block = ('mmauxskd/\n  a/\n    x.py    text\n    y.py z.py   text\n'
             '  b.py   text\n')
    assert _mapped_files(block) == {'mmauxskd/a/x.py', 'mmauxskd/a/y.py',
                                    'mmauxskd/a/z.py', 'mmauxskd/b.py'}

"""Every repository path that README.md and model_zoo.md name exists, and
those of the docs pages the README points to for reference."""
import os.path as osp
import re

import pytest

from conftest import ROOT

# a path: starts at a top-level folder of the repository, or is a .md file
PATH = re.compile(
    r'(?<![\w/.-])((?:configs|tools|docs|mmauxskd|tests|requirements|\.ci)'
    r'(?:/[\w.{},-]+)+/?|[\w-]+\.md)')


def _expand(path):
    """``a/{b,c}_d.py`` -> ``a/b_d.py``, ``a/c_d.py``."""
    match = re.search(r'\{([^}]*)\}', path)
    if not match:
        return [path]
    return [p for alt in match.group(1).split(',')
            for p in _expand(path[:match.start()] + alt + path[match.end():])]


def _named(doc):
    with open(osp.join(ROOT, doc), encoding='utf-8') as f:
        text = f.read()
    found = set()
    for raw in PATH.findall(text):
        raw = raw.rstrip('.,')
        found.update(_expand(raw))
    return sorted(found)


@pytest.mark.parametrize('doc', ['README.md', 'model_zoo.md'])
def test_named_paths_exist(doc):
    named = _named(doc)
    assert len(named) > 10
    missing = [p for p in named if not osp.exists(osp.join(ROOT, p))]
    assert not missing, missing


@pytest.mark.parametrize('doc', ['docs/training.md', 'docs/configs.md',
                                 'docs/demo.md'])
def test_paths_in_the_pages_the_readme_points_to_exist(doc):
    """The reference pages that hold what the README used to: a repository
    path, or a page name beside the doc (``pretexts.md``)."""
    named = _named(doc)
    assert named
    here = osp.dirname(osp.join(ROOT, doc))
    missing = [p for p in named if not osp.exists(osp.join(ROOT, p))
               and not osp.exists(osp.join(here, p))]
    assert not missing, missing


def test_path_pattern_sees_configs_and_tools():
    named = _named('README.md')
    assert 'configs/rspnet/' in named and 'tools/setup_env.sh' in named
    assert 'docs/compatibility.md' in named

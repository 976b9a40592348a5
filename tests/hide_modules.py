"""Make installed modules unimportable, as if they were not installed.

For tests of optional dependencies (decord): a ``sys.meta_path`` finder
that answers ``ModuleNotFoundError`` for the hidden top-level names, put
first so that no other finder is asked. ``conftest.py`` applies it to a
whole pytest run with ``MMAUXSKD_TEST_HIDE=decord`` (comma-separated
names), before mmauxskd is imported::

    MMAUXSKD_TEST_HIDE=decord python -m pytest tests/test_configs.py
"""
import importlib.abc
import sys

ENV = 'MMAUXSKD_TEST_HIDE'


class HiddenModules(importlib.abc.MetaPathFinder):
    """The finder; ``names`` are top-level module names; ``asked`` lists
    the refused imports."""

    def __init__(self, names):
        self.names = frozenset(names)
        self.asked = []

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition('.')[0] in self.names:
            self.asked.append(fullname)
            raise ModuleNotFoundError(
                f'No module named {fullname!r} (hidden by tests)',
                name=fullname)
        return None


def hide(names):
    """Hide ``names`` from now on in this process (already imported ones
    are dropped from ``sys.modules``); returns the finder."""
    names = [n.strip() for n in names if n.strip()]
    for mod in list(sys.modules):
        if mod.partition('.')[0] in names:
            del sys.modules[mod]
    finder = HiddenModules(names)
    sys.meta_path.insert(0, finder)
    return finder

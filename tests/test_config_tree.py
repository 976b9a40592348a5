"""Properties of the config tree that keep it readable: leaves change
inherited lists by what an entry is (its type), never by where it sits."""
import ast
import glob
import os.path as osp

from conftest import ROOT

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                           recursive=True))


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

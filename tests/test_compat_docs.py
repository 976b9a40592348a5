"""docs/compatibility.md's table lists every patch ``import mmauxskd``
applies: each function that ``compat.apply_all()`` calls has a row, and
every test a row names exists."""
import ast
import builtins
import glob
import inspect
import os.path as osp
import re

from conftest import ROOT
from mmauxskd.utils import checkpoint, compat

DOC = osp.join(ROOT, 'docs', 'compatibility.md')


def _applied():
    """The functions ``apply_all`` calls by name (``patch_x()``,
    ``install_safe_checkpoint_loader()``), read from its source: builtins
    (``ImportError``) and attribute calls (``importlib.util.find_spec``)
    are not patches."""
    tree = ast.parse(inspect.getsource(compat.apply_all))
    return sorted({node.func.id for node in ast.walk(tree)
                   if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Name)
                   and not hasattr(builtins, node.func.id)})


def _table_rows():
    """The rows of the doc's one table (contiguous ``|`` lines), without
    its header and separator."""
    with open(DOC, encoding='utf-8') as f:
        lines = f.read().splitlines()
    tables, current = [], []
    for line in lines + ['']:
        if line.startswith('|'):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert len(tables) == 1, f'{len(tables)} tables in {DOC}'
    return tables[0][2:]


def test_apply_all_is_read_as_the_patches_it_applies():
    applied = _applied()
    assert {'patch_missing_drn', 'patch_cpu_distributed', 'patch_color_jitter',
            'patch_bf16_head_loss', 'install_safe_checkpoint_loader',
            'silence_mmcv_lite_ops_warning'} <= set(applied)
    for name in applied:  # each one a function of ours, not a stray name
        module = compat if hasattr(compat, name) else checkpoint
        assert callable(getattr(module, name)), name


def test_every_applied_patch_has_a_row():
    rows = _table_rows()
    missing = [name for name in _applied()
               if not any(f'`{name}`' in row for row in rows)]
    assert not missing, f'no row in docs/compatibility.md for {missing}'


def test_cpu_temporal_conv_row_says_it_is_opt_in():
    assert any('CPU temporal conv' in row and 'not an import-time patch' in row
               for row in _table_rows())


def test_every_test_a_row_names_exists():
    defined = set()
    for path in glob.glob(osp.join(ROOT, 'tests', '*.py')):
        with open(path, encoding='utf-8') as f:
            names = re.findall(r'^def (test_\w+)', f.read(), re.M)
        defined.update(names)
        defined.update(f'tests/{osp.basename(path)}::{n}' for n in names)
    named = [name for row in _table_rows()
             for name in re.findall(r'`((?:tests/\w+\.py::)?test_\w+)`', row)]
    assert len(named) >= 10
    unknown = [name for name in named if name not in defined]
    assert not unknown, unknown

"""mmauxskd: auxSKD, VSPP and friends as MMAction2 1.x / mmengine plugins.

Importing the package (configs do it through ``custom_imports``) first
applies the stack fixes of :mod:`mmauxskd.utils.compat`, then registers the
project's datasets, transforms, models, hooks and metrics into mmaction2's
registries.
"""
import importlib.util as _util


def _installed(name):
    try:
        return _util.find_spec(name) is not None
    except ImportError:
        return False


if not _installed('mmaction'):  # installed apart (setup.py says why)
    raise ImportError('mmauxskd needs mmaction2 1.2.0, installed without its '
                      'dependencies: pip install --no-deps -r '
                      'requirements/mmaction2.txt')

from .utils.compat import apply_all as _apply_compat_fixes  # noqa: E402

_apply_compat_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']

"""mmauxskd: auxSKD, VSPP and friends as MMAction2 1.x / mmengine plugins.

Importing the package (configs do it through ``custom_imports``) first
applies the stack fixes of :mod:`mmauxskd.utils.compat`, then registers the
project's datasets, transforms, models, hooks and metrics into mmaction2's
registries.
"""
from .utils.compat import apply_all as _apply_compat_fixes

_apply_compat_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']

from . import transforms  # noqa: F401
from .robust import (BrokenVideoError, RobustRawframeDataset,
                     RobustVideoDataset)

__all__ = ['BrokenVideoError', 'RobustVideoDataset', 'RobustRawframeDataset']

from . import transforms  # noqa: F401
from .cluster_sampler import ClusterAwareSampler
from .robust import (BrokenVideoError, RobustRawframeDataset,
                     RobustVideoDataset)

__all__ = ['BrokenVideoError', 'ClusterAwareSampler', 'RobustVideoDataset',
           'RobustRawframeDataset']

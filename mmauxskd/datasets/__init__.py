from . import transforms  # noqa: F401
from .cluster_sampler import ClusterAwareSampler
from .robust import (BrokenVideoError, RobustRawframeDataset,
                     RobustVideoDataset)
from .worker_init import limit_threads, worker_threads_init

__all__ = ['BrokenVideoError', 'ClusterAwareSampler', 'RobustVideoDataset',
           'RobustRawframeDataset', 'limit_threads', 'worker_threads_init']

from .feature_queue import FeatureQueue, enqueue_all_pending
from .gather import (gather_across_ranks, gather_with_local_grad,
                     gather_with_offset, scale_grad)
from .momentum_encoder import MomentumEncoder, check_momentum
from .temporal_conv import TemporalConv3d, use_fast_temporal_conv

__all__ = ['FeatureQueue', 'MomentumEncoder', 'check_momentum',
           'enqueue_all_pending', 'gather_across_ranks',
           'gather_with_local_grad', 'gather_with_offset', 'scale_grad',
           'TemporalConv3d', 'use_fast_temporal_conv']

use_fast_temporal_conv()

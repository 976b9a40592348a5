from .feature_queue import FeatureQueue, enqueue_all_pending
from .gather import (gather_across_ranks, gather_with_local_grad,
                     gather_with_offset, scale_grad)
from .momentum_contrast import (MomentumContrast, check_momentum,
                                momentum_contrasts, update_momentum_encoders)
from .momentum_encoder import MomentumEncoder, check_ema_weight
from .temporal_conv import TemporalConv3d

__all__ = ['FeatureQueue', 'MomentumContrast', 'MomentumEncoder',
           'check_ema_weight', 'check_momentum', 'enqueue_all_pending',
           'gather_across_ranks', 'gather_with_local_grad',
           'gather_with_offset', 'momentum_contrasts', 'scale_grad',
           'update_momentum_encoders', 'TemporalConv3d']

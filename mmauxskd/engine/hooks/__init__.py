from .momentum_hooks import AnchorQueueHook, MomentumTeacherHook
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .broken_video_hook import BrokenVideoReportHook
from .chance_check_hook import ChanceCheckHook
from .checkpoint_fit_hook import CheckpointFitHook
from .clip_scores_hook import ClipScoresHook
from .mlfo_hooks import MLFOStageHook
from .progress_file_hook import ProgressFileHook
from .random_state_hook import RandomStateHook
from .take_off_hook import TakeOffHook
from .vi2clr_cluster_hook import Vi2CLRClusterHook

__all__ = ['AnchorQueueHook', 'MomentumTeacherHook', 'AtomicCheckpointHook',
           'BrokenVideoReportHook', 'ChanceCheckHook', 'CheckpointFitHook',
           'ClipScoresHook', 'RandomStateHook', 'MLFOStageHook', 'ProgressFileHook',
           'TakeOffHook', 'Vi2CLRClusterHook']

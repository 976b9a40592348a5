from .clip_augment import ClipAugmentPreprocessor
from .motion_warmup import MotionWarmupPreprocessor

__all__ = ['ClipAugmentPreprocessor', 'MotionWarmupPreprocessor']

from .clip_augment import ClipAugmentPreprocessor

__all__ = ['ClipAugmentPreprocessor']

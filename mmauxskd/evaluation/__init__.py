"""Evaluation beyond 10-clip top-1: clip/video accuracy and retrieval."""
from .clip_video_acc import ClipScoresHook, ClipVideoAccMetric
from .retrieval import (VideoRetrievalMetric, extract_video_features,
                        load_backbone_weights, recall_at_k)

__all__ = [
    'ClipScoresHook', 'ClipVideoAccMetric', 'VideoRetrievalMetric',
    'extract_video_features', 'load_backbone_weights', 'recall_at_k'
]

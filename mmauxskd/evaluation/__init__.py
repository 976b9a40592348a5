"""Evaluation beyond 10-clip top-1: clip/video accuracy, frozen-backbone
readouts (retrieval, kNN) and pretext-task accuracy."""
from .clip_video_acc import ClipVideoAccMetric
from .frozen import (build_feature_metrics, evaluate_frozen_backbone,
                     frozen_features, score_features)
from .knn import KNNAccMetric, knn_predict
from .pretext_acc import PretextAccMetric
from .retrieval import (VideoFeatureMetric, VideoRetrievalMetric,
                        extract_video_features, recall_at_k)

__all__ = [
    'ClipVideoAccMetric', 'VideoFeatureMetric',
    'VideoRetrievalMetric', 'KNNAccMetric', 'PretextAccMetric',
    'build_feature_metrics', 'evaluate_frozen_backbone', 'frozen_features',
    'score_features',
    'extract_video_features', 'knn_predict', 'recall_at_k'
]

"""Evaluation beyond 10-clip top-1: clip/video accuracy, frozen-backbone
readouts (retrieval, kNN), pretext-task accuracy, the instance readout
and whether a stage stayed at chance."""
from .chance import (at_chance, chance_margin, did_not_learn,
                     did_not_learn_line, stage_findings)
from .clip_video_acc import ClipVideoAccMetric
from .frozen import (build_feature_metrics, evaluate_frozen_backbone,
                     frozen_features, score_features)
from .knn import KNNAccMetric, knn_predict
from .instance_retrieval import (InstanceRetrievalMetric, instance_parts,
                                 instance_readout, instance_top1)
from .pretext_acc import PretextAccMetric
from .retrieval import (VideoFeatureMetric, VideoRetrievalMetric,
                        extract_video_features, recall_at_k)

__all__ = [
    'ClipVideoAccMetric', 'VideoFeatureMetric', 'InstanceRetrievalMetric',
    'instance_parts', 'instance_readout', 'instance_top1', 'at_chance',
    'chance_margin',
    'did_not_learn', 'did_not_learn_line', 'stage_findings',
    'VideoRetrievalMetric', 'KNNAccMetric', 'PretextAccMetric',
    'build_feature_metrics', 'evaluate_frozen_backbone', 'frozen_features',
    'score_features',
    'extract_video_features', 'knn_predict', 'recall_at_k'
]

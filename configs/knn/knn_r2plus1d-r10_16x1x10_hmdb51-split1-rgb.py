# Weighted kNN (k 20, T 0.07) on the frozen backbone's 10-clip features:
# test videos classified by their nearest training videos (no training).
#   python tools/analysis/retrieval.py THIS_CONFIG CHECKPOINT
_base_ = ['../retrieval/retrieval_r2plus1d-r10_16x1x10_hmdb51-split1-rgb.py']
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

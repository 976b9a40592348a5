# Weighted kNN (k 20, T 0.07) on the frozen backbone's 10-clip features:
# test videos classified by their nearest training videos (no training).
#   python tools/analysis/retrieval.py THIS_CONFIG CHECKPOINT
_base_ = ['../finetune/r2plus1d-r10_2xb15-16x1x1-25e_hmdb51-split1-rgb.py']
from mmauxskd.cfg import gallery_loader  # noqa: E402

# the training videos, read as the test videos are (10 clips, centre crop),
# as the retrieval configs' gallery
gallery_dataloader = gallery_loader(_base_)
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

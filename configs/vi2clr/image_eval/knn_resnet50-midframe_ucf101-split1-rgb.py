# Weighted kNN (k 20, T 0.07) of Vi2CLR's frozen 2D encoder (ResNet-50, the
# K-400 recipe's) on the middle frames of UCF101 split 1: test videos'
# frames classified by their nearest training frames (no training).
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py']
from mmauxskd.cfg import gallery_loader  # noqa: E402

# the training videos' middle frames, read as the test videos' are
gallery_dataloader = gallery_loader(_base_)
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

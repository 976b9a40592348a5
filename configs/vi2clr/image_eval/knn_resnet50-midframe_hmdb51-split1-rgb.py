# The middle-frame kNN of Vi2CLR's 2D encoder (ResNet-50, the K-400
# recipe's) on HMDB51 split 1, as knn_resnet50-midframe_ucf101-split1-rgb.py
# is on UCF101's.
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_hmdb51-split1-rgb.py']
from mmauxskd.cfg import gallery_loader  # noqa: E402

gallery_dataloader = gallery_loader(_base_)
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

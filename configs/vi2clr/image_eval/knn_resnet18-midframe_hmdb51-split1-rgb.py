# The middle-frame kNN with ResNet-18 (512 channels), the 2D encoder of the
# budget recipes (vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py and its
# UCF101 twin): knn_resnet50-midframe_hmdb51-split1-rgb.py with that depth.
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_hmdb51-split1-rgb.py']
from mmauxskd.cfg import gallery_loader  # noqa: E402

gallery_dataloader = gallery_loader(_base_)
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)
model = dict(backbone=dict(depth=18), cls_head=dict(in_channels=512))

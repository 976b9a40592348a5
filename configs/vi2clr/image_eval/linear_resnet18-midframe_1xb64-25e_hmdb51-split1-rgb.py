# The middle-frame linear probe with ResNet-18 (512 channels), the 2D
# encoder of the budget recipes (vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py
# and its UCF101 twin): linear_resnet50-midframe_1xb64-25e_hmdb51-split1-rgb.py
# with that depth, so that their image_backbone.* fits.
#   python tools/train.py THIS_CONFIG --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_hmdb51-split1-rgb.py']
model = dict(backbone=dict(depth=18), cls_head=dict(in_channels=512))

# Linear probe on HMDB51 split 1: the pretrained backbone frozen (weights and
# BatchNorm statistics), a linear classifier trained on its pooled features,
# the 10-clip test reporting video and clip accuracy. Start from a pretext
# (VSPP / auxSKD) checkpoint; only its backbone.* tensors match:
#   python tools/train.py THIS_CONFIG --pretrained PRETEXT_CHECKPOINT
_base_ = ['../finetune/r3d-18_2xb15-16x1x1-25e_hmdb51-split1-rgb.py']
model = dict(
    # frozen_stages=4 puts the stem and all 4 stages in eval mode with
    # requires_grad=False at every model.train(): neither the weights nor the
    # BatchNorm running statistics change (norm_eval for any other BN)
    backbone=dict(frozen_stages=4, norm_eval=True),
    # a plain linear classifier on the pooled features
    cls_head=dict(dropout_ratio=0.0))
# only the classifier learns: a larger lr than finetuning, same schedule
optim_wrapper = dict(optimizer=dict(lr=0.1))

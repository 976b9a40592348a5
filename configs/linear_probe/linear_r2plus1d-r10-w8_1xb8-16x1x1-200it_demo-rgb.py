# Linear probe on the demo data: the pretrained backbone frozen (weights and
# BatchNorm statistics), a linear classifier trained on its pooled features,
# the 10-clip test reporting video and clip accuracy. Start from a pretext
# (VSPP / auxSKD) checkpoint; only its backbone.* tensors match:
#   python tools/train.py THIS_CONFIG --pretrained PRETEXT_CHECKPOINT
_base_ = ['../finetune/r2plus1d-r10-w8_1xb8-16x1x1-240it_demo-rgb.py']
from mmauxskd.utils.config_utils import iter_schedule  # noqa: E402

model = dict(
    # frozen_stages=4 puts the stem and all 4 stages in eval mode with
    # requires_grad=False at every model.train(): neither the weights nor the
    # BatchNorm running statistics change (norm_eval for any other BN)
    backbone=dict(frozen_stages=4, norm_eval=True),
    # a plain linear classifier on the pooled features
    cls_head=dict(dropout_ratio=0.0))
# only the classifier learns: a larger lr than finetuning, 200 steps (a
# linear classifier on frozen features needs no more)
optim_wrapper = dict(optimizer=dict(lr=0.1))
# 16 labelled videos / batch 8 = 2 steps per epoch
train_cfg, param_scheduler, log_processor, default_hooks = iter_schedule(
    200, iters_per_epoch=2)

# Linear probe on the demo data: the pretrained backbone frozen (weights and
# BatchNorm statistics), a linear classifier trained on its pooled features,
# the 10-clip test reporting video and clip accuracy. Start from a pretext
# (VSPP / auxSKD) checkpoint; only its backbone.* tensors match:
#   python tools/train.py THIS_CONFIG --pretrained PRETEXT_CHECKPOINT
_base_ = ['../finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py',
          './_base_/linear_probe.py']
from mmauxskd.cfg import iter_schedule  # noqa: E402

model = _base_.linear_probe_model
optim_wrapper = _base_.linear_probe_optim
# 16 labelled videos / batch 8 = 2 steps per epoch
train_cfg, param_scheduler, log_processor, default_hooks = iter_schedule(
    200, iters_per_epoch=2)

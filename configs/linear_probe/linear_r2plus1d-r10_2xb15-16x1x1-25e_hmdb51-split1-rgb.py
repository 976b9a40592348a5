# Linear probe on HMDB51 split 1: the pretrained backbone frozen (weights and
# BatchNorm statistics), a linear classifier trained on its pooled features,
# the 10-clip test reporting video and clip accuracy. Start from a pretext
# (VSPP / auxSKD) checkpoint; only its backbone.* tensors match:
#   python tools/train.py THIS_CONFIG --pretrained PRETEXT_CHECKPOINT
_base_ = ['../finetune/r2plus1d-r10_2xb15-16x1x1-25e_hmdb51-split1-rgb.py',
          './_base_/linear_probe.py']
model = _base_.linear_probe_model
optim_wrapper = _base_.linear_probe_optim

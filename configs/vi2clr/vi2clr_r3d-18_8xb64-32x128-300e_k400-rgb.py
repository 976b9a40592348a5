# Vi2CLR, the paper's Kinetics-400 setting (§4.2) with R3D-18 in place of
# S3D (512 channels): 32x128x128 clips, ResNet-50 on the middle frames,
# batch 512, Adam 0.01, 300 epochs. docs/vi2clr.md.
_base_ = ['../_base_/models/r3d_18.py', './_base_/vi2clr_k400.py',
          '../_base_/default_runtime.py']
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + [_base_.cluster_hook]
auto_scale_lr = _base_.vi2clr_auto_scale_lr

# VSPP pretext with R3D-18 on Kinetics-100: clips of 16 frames,
# Z = 4 segments, Q = 4 paces; crop 112, flip, colour jitter (docs/vspp.md).
_base_ = ['../_base_/models/r3d_18.py', './_base_/vspp_k100.py']
model = dict(backbone=_base_.backbone)

# VCOP pretext with R3D-18 on Kinetics-100: tuples of 3 clips of 16
# frames, 8 frames apart, 3! = 6 orders; crop 112, flip, colour jitter
# (docs/pretexts.md).
_base_ = ['../_base_/models/r3d_18.py', './_base_/vcop_k100.py']
model = dict(backbone=_base_.backbone)

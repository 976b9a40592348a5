# MLFO with R3D-18 on UCF101 split 1 (paper Tables 1, 4, the UCF rows),
# K = 1000 prototypes as in the paper.
_base_ = ['../_base_/models/r3d_18.py', './_base_/mlfo_ucf101.py']
model = dict(backbone=_base_.backbone)

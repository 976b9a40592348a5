# VideoPace with R(2+1)D-10 pretrained on K-100 (paper Table 1, row 18).
_base_ = ['../_base_/models/r2plus1d_r10.py', './_base_/videopace_k100.py']
model = dict(backbone=_base_.backbone)

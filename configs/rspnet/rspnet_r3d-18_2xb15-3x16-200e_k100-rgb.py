# RSPNet with R3D-18 on Kinetics-100 (paper Table 1, row 27);
# docs/pretexts.md#rspnet. The query encoder is backbone.*.
_base_ = ['../_base_/models/r3d_18.py', './_base_/rspnet_k100.py']
model = dict(backbone=_base_.backbone)

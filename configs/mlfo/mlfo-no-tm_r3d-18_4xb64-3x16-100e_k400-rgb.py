# Table 3, R3D-18 "w/o TM" (55.9 / 28.1): no temporal modeling, i.e. no
# L_aug, no L_ret and no motion-excitation branch.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(temporal_head=None, motion_levels=())

# Table 4 ablation: VSPP clips (Z = 4, Q = 4), pace prediction only: no
# segment head, no segment loss (R3D-18, K-100).
_base_ = ['./vspp_r3d-18_2xb15-16x1x1-20e_k100-rgb.py']
model = dict(head=dict(with_segment=False))

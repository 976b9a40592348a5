# Table 4 ablation: VSPP clips (Z = 4, Q = 4), segment prediction only: no
# pace head, no pace loss (R3D-18, K-100). Clips with λ = 1 (a quarter) have
# no altered segment and so no segment loss either.
_base_ = ['./vspp_r3d-18_2xb15-16x1x1-20e_k100-rgb.py']
model = dict(head=dict(with_pace=False))

# Table 2, "w/o" (58.1 / 28.8 linear UCF / HMDB): only L_high (Eq. 5) on
# the high level, no graph loss; the temporal module stays.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(graph_head=None)

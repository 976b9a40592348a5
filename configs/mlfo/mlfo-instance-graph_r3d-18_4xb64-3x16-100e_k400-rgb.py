# Table 2, "Instance" (59.4 / 30.1): E_ins alone (Eq. 6), row-normalised.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(graph_head=dict(graph='instance'))

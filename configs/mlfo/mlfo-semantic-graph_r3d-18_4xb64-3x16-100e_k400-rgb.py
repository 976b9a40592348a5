# Table 2, "Semantic" (54.5 / 26.3): E_sem alone (Eq. 7), row-normalised.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(graph_head=dict(graph='semantic'))

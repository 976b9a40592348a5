# Table 2, "One-hot" (57.8 / 28.5): the lower levels trained with InfoNCE's
# one-hot target (E = identity) instead of the combined graph.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(graph_head=dict(graph='onehot'))

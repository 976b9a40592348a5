# Table 2, "Combined" without multi-level (60.4 / 32.3): the combined graph
# loss on the high level only.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(graph_head=dict(levels=dict(_delete_=True, high=1.0)))

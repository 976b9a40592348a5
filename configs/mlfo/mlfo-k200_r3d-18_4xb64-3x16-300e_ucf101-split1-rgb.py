# MLFO on UCF101 with the authors' README's K = 200 prototypes.
_base_ = ['./mlfo_r3d-18_4xb64-3x16-300e_ucf101-split1-rgb.py']
model = dict(semantic_head=dict(num_prototypes=200))

# The paper's choices where the authors' code differs (docs/mlfo.md):
# W of Eq. 8 (four view pairs) and Eq. 10 as a per-row cross-entropy with
# h(., z_j^*) of Eq. 3; L_mul on the low and mid levels only (weight 1);
# L_aug with temporal shuffle and reverse, own augmentations as the only
# negatives (Eq. 12); L_high = L_ins + L_sem (Eq. 5, weight 1).
_base_ = ['./mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py']
model = dict(
    semantic_head=dict(loss_weight=1.0),
    graph_head=dict(variant='paper', levels=dict(_delete_=True, low=1.0,
                                                 mid=1.0)),
    temporal_head=dict(augmentations=('shuffle', 'reverse'),
                       negatives='paper'))

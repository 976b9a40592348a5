# MLFO with R3D-18 on Kinetics-400 (paper Tables 1-4, the K-400 rows):
#   tools/dist_train.sh configs/mlfo/mlfo_r3d-18_4xb64-3x16-100e_k400-rgb.py 4
# MMAction2's R3D-18 (3x7x7 stem; the authors used Hara's 7x7x7 stem).
# backbone.* loads into the stock Recognizer3D (tools/train.py --pretrained)
# for our finetune, linear-probe, kNN and retrieval configs.
_base_ = ['../_base_/models/r3d_18.py', '../_base_/models/mlfo.py',
          './_base_/mlfo_k400.py', './_base_/mlfo_runtime.py']
# MMAction2's R3D-18 also halves time after layer1 (pool2), so a 16-frame
# clip leaves layer4 one time step (Hara's: 2): timestamp retrieval runs on
# the low and mid levels only (docs/mlfo.md)
model = dict(backbone=_base_.backbone, temporal_head=dict(
    ret_levels=dict(_delete_=True, low=1.0, mid=1.0)))

# MLFO with R3D-18 on UCF101 split 1 (paper Tables 1, 4, the UCF rows),
# K = 1000 prototypes as in the paper.
_base_ = ['../_base_/models/r3d_18.py', '../_base_/models/mlfo.py',
          './_base_/mlfo_ucf101.py', './_base_/mlfo_runtime.py']
# MMAction2's R3D-18 also halves time after layer1 (pool2), so a 16-frame
# clip leaves layer4 one time step (Hara's: 2): timestamp retrieval runs on
# the low and mid levels only (docs/mlfo.md)
model = dict(backbone=_base_.backbone, temporal_head=dict(
    ret_levels=dict(_delete_=True, low=1.0, mid=1.0)))
# UCF101's schedule (§4.2): 300 epochs, lr x0.1 at epoch 200
train_cfg = dict(max_epochs=300)
param_scheduler = [dict(type='MultiStepLR', milestones=[200], gamma=0.1,
                        by_epoch=True, begin=0, end=300)]

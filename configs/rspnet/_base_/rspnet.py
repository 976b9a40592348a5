# RSPNet, the method (Chen et al., AAAI 2021; PeihaoChen/RSPNet): its model
# and sampler (read from ../../_base_/models/rspnet.py), RSPNet's optimiser
# (SGD, wd 1e-4, lr per 64 clips, cosine to lr/1000 over 200 epochs) and
# hooks. A leaf lists the backbone, the dataset, this file and the runtime:
#   train_pipeline, train_dataloader = pretext_data(_base_,
#                                                   **_base_.rspnet_data)
#   model = dict(backbone=_base_.backbone)
#   custom_hooks = _base_.custom_hooks + _base_.rspnet_hooks
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

# RSPNet's two windows, each with its own crop / flip / colour jitter: the
# query (clip 0) alone, the keys k+ and k- (clips 1, 2: one window at two
# speeds) together, so InfoNCE cannot match q to k by crop or colour (the
# crop in the loader, flip and jitter by the model's preprocessor)
rspnet_groups = ((0, ), (1, 2))
model, rspnet_sampler, feat_dim = config_variables(
    '{{fileDirname}}/../../_base_/models/rspnet.py', 'model',
    'rspnet_sampler', 'feat_dim',
    model=dict(data_preprocessor=dict(groups=rspnet_groups)))
# pretext_data's arguments: the sampler and the windows; drop_last: full
# batches only, as RSPNet's training loader
rspnet_data = dict(sampler=rspnet_sampler,
                   clip_augment=dict(groups=rspnet_groups), drop_last=True)
# RSPNet's lr rule: lr x batch / 64 with lr 0.05 for R(2+1)D
# (config/pretrain/r2plus1d.jsonnet); batch 30 = 2 GPUs x 15 here. The
# cosine schedule ends at lr / 1000 as RSPNet's (eta_min). The loop and the
# SGD settings otherwise are the pretext schedule's (sgd_20e_pretext.py,
# read from it).
rspnet_lr_per_64 = 0.05
train_cfg, val_cfg, test_cfg, optim_wrapper = config_variables(
    '{{fileDirname}}/../../_base_/schedules/sgd_20e_pretext.py', 'train_cfg',
    'val_cfg', 'test_cfg', 'optim_wrapper', train_cfg=dict(max_epochs=200),
    optim_wrapper=dict(
        optimizer=dict(lr=rspnet_lr_per_64 * 30 / 64, weight_decay=1e-4),
        clip_grad=None))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200,
                        eta_min_ratio=1e-3, by_epoch=True, begin=0, end=200)]
# key-encoder EMA update before each step, key enqueue after it; a leaf
# appends them to the runtime's custom_hooks
rspnet_hooks = [dict(type='MomentumTeacherHook'), dict(type='AnchorQueueHook')]

# MLFO's optimisation (paper §4.2): Adam lr 1e-3, weight decay 1e-5, batch
# 256 (4 GPUs x 64, SyncBN), 100 epochs with lr x0.1 at epoch 70 (the
# Kinetics-400 setting; UCF101's 300/200 in its leaves). Pretraining only:
# no validation. And MLFO's runtime: every variable of
# ../../_base_/default_runtime.py (read from it) with MLFO's checkpointing,
# lr-scaling batch and stage hook, so that an MLFO leaf lists this file in
# place of default_runtime.py, beside its data base (mlfo_k400.py,
# mlfo_ucf101.py).
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

(default_scope, custom_imports, default_hooks, custom_hooks, env_cfg,
 log_processor, vis_backends, visualizer, log_level, load_from, resume,
 randomness, auto_scale_lr) = config_variables(
    '{{fileDirname}}/../../_base_/default_runtime.py', 'default_scope',
    'custom_imports', 'default_hooks', 'custom_hooks', 'env_cfg',
    'log_processor', 'vis_backends', 'visualizer', 'log_level', 'load_from',
    'resume', 'randomness', 'auto_scale_lr',
    default_hooks=dict(checkpoint=dict(save_best=None)),
    auto_scale_lr=dict(enable=False, base_batch_size=256))

# SyncBN across the GPUs, as the paper (a CPU run sets sync_bn=None)
sync_bn = 'torch'
# the prototypes are frozen in epoch 0 and the graph losses start later, so
# some parameters get no gradient in some steps (the authors' code too)
find_unused_parameters = True

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
val_cfg = test_cfg = None
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-5))
param_scheduler = [dict(type='MultiStepLR', milestones=[70], gamma=0.1,
                        by_epoch=True, begin=0, end=100)]
# the two-stage schedule: the model learns the epoch before every step
custom_hooks = custom_hooks + [dict(type='MLFOStageHook')]

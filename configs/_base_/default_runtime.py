# MMAction2 1.2.0's runtime (hooks, logger, visualizer, env) plus the plugin.
# MMAction2's settings are stated here rather than inherited through
# `_base_ = 'mmaction::_base_/default_runtime.py'`: mmengine 0.10.7 resolves
# `mmaction::` with pkg_resources, which setuptools >= 81 no longer has, and
# it does so before `custom_imports` can import mmauxskd's fix. Stated here,
# every config loads with a bare `Config.fromfile` (upstream tools/train.py);
# tests/test_configs.py checks these values against the installed mmaction2.
default_scope = 'mmaction'

# importing mmauxskd applies the stack fixes and registers our modules
custom_imports = dict(imports=['mmauxskd'], allow_failed_imports=False)

# MMAction2's default hooks; ours keeps the last three checkpoints
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, save_best='auto',
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
# BrokenVideoReportHook reports training samples skipped because their
# video is broken; RandomStateHook stores the generators' states in
# checkpoints so that --resume continues exactly; ClipScoresHook keeps each
# clip's scores for ClipVideoAccMetric's clip accuracy.
custom_hooks = [
    dict(type='BrokenVideoReportHook'),
    dict(type='RandomStateHook'),
    dict(type='ClipScoresHook')
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
# Optional TensorBoard logging (pip install tensorboard), beside the JSON
# scalars that tools/analysis/plot_logs.py reads; `tools/train.py
# --vis-backend tensorboard` (or wandb) adds it for one run:
# visualizer = dict(
#     type='ActionVisualizer',
#     vis_backends=[dict(type='LocalVisBackend'),
#                   dict(type='TensorboardVisBackend')])

log_level = 'INFO'
# Resuming continues from the last checkpoint in work_dir (tools/train.py
# --resume [auto|PATH]); seeds are logged and restored with the checkpoint.
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)

# batch 30 in total as in the paper (2 GPUs x 15); --auto-scale-lr rescales
# the learning rate linearly for another total batch.
auto_scale_lr = dict(enable=False, base_batch_size=30)

# MMAction2's runtime (hooks, logger, visualizer, env) plus the plugin.
_base_ = 'mmaction::_base_/default_runtime.py'

# importing mmauxskd applies the stack fixes and registers our modules
custom_imports = dict(imports=['mmauxskd'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3))
# BrokenVideoReportHook reports training samples skipped because their
# video is broken; RandomStateHook stores the generators' states in
# checkpoints so that --resume continues exactly; ClipScoresHook keeps each
# clip's scores for ClipVideoAccMetric's clip accuracy.
custom_hooks = [
    dict(type='BrokenVideoReportHook'),
    dict(type='RandomStateHook'),
    dict(type='ClipScoresHook')
]

# Optional TensorBoard logging (pip install tensorboard), beside the JSON
# scalars that tools/analysis/plot_logs.py reads:
# visualizer = dict(
#     type='ActionVisualizer',
#     vis_backends=[dict(type='LocalVisBackend'),
#                   dict(type='TensorboardVisBackend')])

# Resuming continues from the last checkpoint in work_dir (tools/train.py
# --resume [auto|PATH]); seeds are logged and restored with the checkpoint.
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)

# batch 30 in total as in the paper (2 GPUs x 15); --auto-scale-lr rescales
# the learning rate linearly for another total batch.
auto_scale_lr = dict(enable=False, base_batch_size=30)

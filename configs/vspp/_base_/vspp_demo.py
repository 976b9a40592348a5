# What the VSPP demo config and the VideoPace one (VSPP with one segment)
# change on their real K-100 leaf, written once (the reasons:
# ../vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py,
# docs/small_data.md). A demo config lists its real leaf,
# ../../_base_/datasets/demo_unlabelled.py and this file, and applies them:
#   train_pipeline, train_dataloader = demo_data(_base_,
#                                                _base_.demo_batch_size)
#   model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
#   train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
#   custom_hooks = _base_.custom_hooks + [take_off(<its loss>, 4,
#                                                  _base_.demo_max_iters)]
_base_ = []
from mmauxskd.cfg import config_variables, iter_schedule  # noqa: E402

# the demo's backbone, width and preprocessor (demo_unlabelled.py: flip
# and colour jitter in the loader worker)
_backbone, _channels, _preprocessor = config_variables(
    '{{fileDirname}}/../../_base_/datasets/demo_unlabelled.py',
    'demo_backbone', 'demo_channels', 'demo_preprocessor')
demo_batch_size = 12
# motion warm-up: the input fades from frame differences to RGB over the
# first 600 steps (the full-lr phase), so that the speed task leaves chance
# on cluttered videos too (docs/small_data.md#the-procedure); the stage
# ends, is validated and is finetuned on RGB
demo_model = dict(backbone=_backbone, head=dict(in_channels=_channels),
                  data_preprocessor=dict(
                      _preprocessor, type='MotionWarmupPreprocessor',
                      warmup_iters=600))
demo_optim_wrapper = dict(optimizer=dict(lr=0.02))
# 96 videos / batch 12 = 8 steps per epoch; 1200 steps, warm-up, the full
# lr until half of the run, then cosine
demo_schedule = iter_schedule(1200, iters_per_epoch=8, flat_ratio=0.5)
# if the task is still at chance when the cosine would start (step 600),
# the full lr is held an epoch at a time until it leaves chance, up to 2400
# steps in all (TakeOffHook; a stage that left chance in time is unchanged)
demo_max_iters = 2400

# RSPNet pretext on Kinetics-100, any backbone (the leaf adds it):
# RelativeSpeedSampler (3 clips) in place of SampleFrames, one crop / flip /
# jitter shared by the three clips (as the project's VCOP), RSPNet's
# optimiser settings where the reference note gives them (SGD, wd 1e-4,
# cosine, 200 epochs) and the project's pretext lr (1e-3 for batch 30).
_base_ = ['../../_base_/models/rspnet.py',
          '../../_base_/datasets/k100_videos.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']
from mmauxskd.datasets.transforms import replace_sampler  # noqa: E402

train_pipeline = replace_sampler(_base_.train_pipeline, _base_.rspnet_sampler,
                                 algorithm_keys=('speed_label', ))
# drop_last: the heads' BatchNorm1d cannot train on a batch of one
train_dataloader = dict(drop_last=True, dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=200)
optim_wrapper = dict(optimizer=dict(weight_decay=1e-4), clip_grad=None)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200,
                        by_epoch=True, begin=0, end=200)]
# key-encoder EMA update before each step, key enqueue after it
custom_hooks = _base_.custom_hooks + [
    dict(type='MomentumTeacherHook'),
    dict(type='AnchorQueueHook')
]

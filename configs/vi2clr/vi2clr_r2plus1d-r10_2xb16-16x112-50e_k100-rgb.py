# Vi2CLR at our budget on Kinetics-100 (about 33K videos), 2 GPUs x 16:
# R(2+1)D-10 on 16x112x112 clips (the project's pretext geometry), ResNet-18
# (512 channels) on the middle frames, 50 epochs with 5 of instance warm-up,
# lr x0.1 at epochs 30 and 40, Adam lr scaled linearly from 0.01 at 512 to
# batch 32. docs/vi2clr.md.
_base_ = ['../_base_/models/r2plus1d_r10.py', './_base_/vi2clr_k400.py',
          '../_base_/default_runtime.py']
from mmauxskd.cfg import update_pipeline, vi2clr_train_pipeline  # noqa: E402

# the Kinetics-100 list (_base_/datasets/k100_videos.py)
ann_file_train = 'data/kinetics100/kinetics100_train_list_videos.txt'
clip_pipeline = update_pipeline(_base_.clip_pipeline,
                                SampleFrames=dict(clip_len=16),
                                RandomCrop=dict(size=112))
train_pipeline = vi2clr_train_pipeline(clip_pipeline)
train_dataloader = dict(batch_size=16, dataset=dict(
    ann_file=ann_file_train, pipeline=train_pipeline))
image_channels = 512
model = dict(
    backbone=_base_.backbone,
    image_backbone=dict(depth=18),
    image_neck=dict(in_channels=image_channels, hid_channels=image_channels),
    joint_neck=dict(in_channels=_base_.video_channels + image_channels,
                    hid_channels=1024))
custom_hooks = _base_.custom_hooks + update_pipeline(
    [_base_.cluster_hook],
    Vi2CLRClusterHook=dict(warmup_epochs=5, batch_size=16))
auto_scale_lr = _base_.vi2clr_auto_scale_lr
optim_wrapper = dict(optimizer=dict(lr=0.01 * 32 / 512))
train_cfg = dict(max_epochs=50)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[30, 40], gamma=0.1, by_epoch=True,
         begin=0, end=50)
]

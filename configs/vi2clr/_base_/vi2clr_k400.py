# Vi2CLR (Diba et al., ICCV 2021) on Kinetics-400, the paper's setting
# (§4.2) without the 3D backbone (a leaf adds it; S3D in the paper, which
# MMAction2 lacks: R3D-18 / R(2+1)D-10 stand in, 512 channels).
# 32-frame 128x128 clips, two temporal crops per video (positives), the
# middle frame of each for the 2D ResNet-50; r_V, r_I, r_J 128-d;
# VideoNCE + ImgNCE (MIL-NCE, Eq. 2) + CenterNCE (Eq. 3), tau 0.08, 1:1:1;
# FINCH (second partition) on r_J every epoch; Adam lr 0.01, wd 1e-4, x0.1
# every 100 epochs, 300 epochs, batch 512 (8 GPUs x 64). docs/vi2clr.md.
# The data are k400_videos.py's variables (read from it) with Vi2CLR's clips
# and loader. A leaf lists the backbone, this file and the runtime, and adds
# the clustering hook to the runtime's hooks and the lr-scaling batch:
#   custom_hooks = _base_.custom_hooks + [_base_.cluster_hook]
#   auto_scale_lr = _base_.vi2clr_auto_scale_lr
_base_ = []
from mmauxskd.cfg import (config_variable, config_variables,  # noqa: E402
                          update_pipeline, vi2clr_train_pipeline)

(dataset_type, data_root, ann_file_train, prepare_hint, val_dataloader,
 val_evaluator, test_dataloader, test_evaluator) = config_variables(
    '{{fileDirname}}/../../_base_/datasets/k400_videos.py', 'dataset_type',
    'data_root', 'ann_file_train', 'prepare_hint', 'val_dataloader',
    'val_evaluator', 'test_dataloader', 'test_evaluator')
# one clip as the paper samples it; each of the two temporal crops of a video
# is drawn and augmented from it (random crop, flip, colour jitter; no
# Gaussian blur: MMAction2 has no video blur transform, docs/vi2clr.md)
clip_pipeline = update_pipeline(
    config_variable('{{fileDirname}}/../../_base_/datasets/k400_videos.py',
                    'train_pipeline'),
    SampleFrames=dict(clip_len=32), RandomCrop=dict(size=128))
train_pipeline = vi2clr_train_pipeline(clip_pipeline)
# P clusters x 2 videos per batch, so that MIL-NCE has cluster positives
train_dataloader = config_variable(
    '{{fileDirname}}/../../_base_/datasets/k400_videos.py',
    'train_dataloader', batch_size=64,
    sampler=dict(type='ClusterAwareSampler', per_cluster=2),
    dataset=dict(pipeline=train_pipeline))

feat_dim = 128
video_channels = 512  # the stand-in 3D backbones; S3D: 1024
image_channels = 2048  # ResNet-50
tau = 0.08
model = dict(
    type='Vi2CLR',
    image_backbone=dict(type='ResNet', depth=50, pretrained=None,
                        torchvision_pretrain=False, norm_eval=False),
    # "a non-linear MLP projection head with 128 dimensions" (SimCLR's:
    # hidden width = input width), on each encoder
    video_neck=dict(type='VideoMLPNeck', in_channels=video_channels,
                    hid_channels=video_channels, out_channels=feat_dim,
                    num_layers=2),
    image_neck=dict(type='VideoMLPNeck', in_channels=image_channels,
                    hid_channels=image_channels, out_channels=feat_dim,
                    num_layers=2),
    # "the concatenated output of the two encoders is fed to another MLP"
    joint_neck=dict(type='VideoMLPNeck',
                    in_channels=video_channels + image_channels,
                    hid_channels=image_channels, out_channels=feat_dim,
                    num_layers=2),
    video_head=dict(type='MILNCEHead', temperature=tau,
                    loss_name='loss_video_nce'),
    image_head=dict(type='MILNCEHead', temperature=tau,
                    loss_name='loss_img_nce'),
    # Eq. 3's denominator over all k clusters; 'batch': the mini-batch's
    center_head=dict(type='CenterNCEHead', temperature=tau,
                     denominator='all'),
    cluster_on='joint',
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCTHW'))

# Algorithm 1's "R_J = f_VI(X); C = Clustering(R_J)" before every epoch,
# after a warm-up of instance clusters (PCL's 20 epochs; the paper is
# silent); method='kmeans' for Table 1's baseline; a leaf appends it to the
# runtime's custom_hooks
cluster_hook = dict(type='Vi2CLRClusterHook', interval=1, warmup_epochs=20,
                    method='finch', partition=1, temperature=tau,
                    batch_size=64, num_workers=8)

# "Adam optimizer, with a weight decay of 0.0001 and an initial learning
# rate of 0.01, which is reduced by a factor of 10 every 100 epochs" (§4.2;
# the sentence sits in the linear-evaluation paragraph, docs/vi2clr.md)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=0.01, weight_decay=1e-4),
    clip_grad=None)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
val_cfg = test_cfg = None
param_scheduler = [
    dict(type='StepLR', step_size=100, gamma=0.1, by_epoch=True, begin=0,
         end=300)
]
# the lr above is for 8 GPUs x 64; --auto-scale-lr scales it linearly
vi2clr_auto_scale_lr = dict(enable=False, base_batch_size=512)

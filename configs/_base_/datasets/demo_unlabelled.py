# What every demo config shrinks, as variables a demo config combines with a
# real config (the keys do not clash):
#   _base_ = ['./<real pretext config>.py',
#             '../_base_/datasets/demo_unlabelled.py']
#   train_pipeline = update_pipeline(_base_.train_pipeline,
#                                    **_base_.demo_geometry)
#   train_dataloader = dict(**_base_.demo_loader, dataset=dict(
#       pipeline=train_pipeline, **_base_.demo_unlabelled))
# docs/small_data.md gives the rule behind each number.
# Frames: short side 40, crop 32 (as demo_videos.py), from 64x64 videos.
demo_geometry = dict(Resize=dict(scale=(-1, 40)), RandomCrop=dict(size=32))
# Decoder: the real configs' own, PyAV (PyAVSeekInit/PyAVSeekDecode), which
# also decodes the demo's small files faster than decord
# (docs/benchmarks.md#decoders); decord is optional (`--decoder decord` on
# tools/train.py with `pip install -e .[decord]`)
# and each video decoded once per loader process, its frames kept in memory
# (cache_frames: the same pixels; a 1200-step stage reads each of the 96
# videos ~150 times, and decoding was half of a sample's CPU time,
# docs/benchmarks.md#demo-decode-cache)
demo_cache = True
# Augmentation: flip and colour jitter stay in the loader worker, as the
# demo's figures were made. The real pretext configs draw them on the
# training device (their models' ClipAugmentPreprocessor); without a GPU
# that work would move from the parallel worker into the training process.
# demo_data puts them back into the pipeline, and a demo's model takes
# demo_preprocessor, which augments nothing (normalisation only).
demo_preprocessor = dict(augments=[])
# Model width: R(2+1)D-10 with 8 channels in its first stage instead of 64
# (8-16-32-64, 0.23M parameters instead of 14.4M), so that the three default
# arms x 3 seeds fit 15 minutes on 2 CPU cores; the depth, the (2+1)D
# factorisation and the strides are the paper's. At this size a step's time
# is not proportional to the FLOPs: 16 and 12 channels learned as well
# (docs/small_data.md) but the default demo was on course for 21 and 19
# minutes.
# The backbone type: ResNet2Plus1d whose temporal convs take the fast CPU
# route (mmauxskd.models.backbones; same weights and checkpoint keys, 1.2x
# per step on one thread, docs/benchmarks.md#r21d-temporal-convolution-on-cpu).
demo_backbone = dict(type='FastTemporalResNet2Plus1d', base_channels=8)
demo_channels = 64
# Batch 16, one loader process (the demo runs two jobs side by side on
# 2 cores); workers persist across the short epochs of a 96-video split;
# CPU runs: no pinned memory (PyTorch would warn that it has no GPU).
demo_loader = dict(batch_size=16, num_workers=1, persistent_workers=True,
                   pin_memory=False)
# optimiser steps per epoch of the unlabelled split (96 videos / batch 16):
# the demo pretext configs set a step budget, iter_schedule derives epochs
demo_iters_per_epoch = 6
demo_hint = 'run `python tools/data/make_demo_data.py --out data/demo`'
demo_unlabelled = dict(
    ann_file='data/demo/demo_unlabelled_list_videos.txt',
    data_prefix=dict(video='data/demo/videos'), prepare_hint=demo_hint)
# held-out unlabelled videos for each pretext stage's own task accuracy
# (mmauxskd.cfg.pretext_val)
demo_pretext_val = dict(
    ann_file='data/demo/demo_pretext_val_list_videos.txt',
    data_prefix=dict(video='data/demo/videos'), prepare_hint=demo_hint)

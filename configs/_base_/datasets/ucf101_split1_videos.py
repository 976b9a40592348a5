# UCF101 split 1, mp4/avi videos (MMAction2 list format "relative/path.avi
# label"); docs/data_preparation.md#ucf101 builds the lists. Decoded with
# PyAV (PyAVSeekInit/PyAVSeekDecode: the same frames, pixel for pixel, as
# MMAction2's DecordInit/DecordDecode, 1.0-1.6x faster,
# docs/benchmarks.md#decoders); `--decoder decord` on tools/train.py and
# tools/test.py, or set_decoder() in a config, switches back.
dataset_type = 'RobustVideoDataset'
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_test = 'data/ucf101/ucf101_val_split_1_videos.txt'
prepare_hint = 'see docs/data_preparation.md#ucf101'
num_classes = 101

# paper §4.2: random crop 112 (after resizing the short side to 128, i.e.
# 128x171 for 4:3 videos), horizontal flip, colour jitter (ClipColorJitter:
# MMAction2's ColorJitter, same draws, output identical up to float
# rounding, in about two thirds of the time; swap in dict(type='ColorJitter') if you prefer)
train_pipeline = [
    dict(type='PyAVSeekInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='PyAVSeekDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='ClipColorJitter'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# one centre clip per video while training
val_pipeline = [
    dict(type='PyAVSeekInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='PyAVSeekDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# paper §4.2: 10 clips sampled uniformly, centre crop, softmax averaged
test_pipeline = [
    dict(type='PyAVSeekInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=10,
         test_mode=True),
    dict(type='PyAVSeekDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

# batch 30 in total: 15 per GPU on 2 GPUs (paper); scale rule in
# _base_/default_runtime.py (auto_scale_lr)
_dataset = dict(type=dataset_type, data_prefix=dict(video=data_root),
                prepare_hint=prepare_hint)
train_dataloader = dict(
    batch_size=15,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(ann_file=ann_file_train, pipeline=train_pipeline, **_dataset))
val_dataloader = dict(
    batch_size=15,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(ann_file=ann_file_test, pipeline=val_pipeline,
                 test_mode=True, **_dataset))
test_dataloader = dict(
    val_dataloader, batch_size=1,
    dataset=dict(val_dataloader['dataset'], pipeline=test_pipeline))
# video top-1/top-5 (clips averaged as the head's average_clips says) plus
# clip accuracy, with the averaging stated in the log
val_evaluator = dict(type='ClipVideoAccMetric')
test_evaluator = val_evaluator

# The paper's clip setting (§4.2) for any video list, read by the dataset
# bases (ucf101_split1_videos.py, k400_videos.py) with config_variable, so
# that each dataset states its own lists and none inherits another's:
# 16-frame clips decoded with PyAV (PyAVSeekInit/PyAVSeekDecode: the same
# frames, pixel for pixel, as MMAction2's DecordInit/DecordDecode, 1.0-1.6x
# faster, docs/benchmarks.md#decoders; `--decoder decord` on tools/train.py
# and tools/test.py, or set_decoder() in a config, switches back, with the
# optional decord installed: pip install -e .[decord]), and the training
# loader's settings. Not a base: no dataset (its `_base_` is empty).
_base_ = []
from mmauxskd.cfg import update_pipeline  # noqa: E402

# paper §4.2: horizontal flip, colour jitter (ClipColorJitter: MMAction2's
# ColorJitter, same draws, output identical up to float rounding, in about
# two thirds of the time; swap in dict(type='ColorJitter') if you prefer).
# They change no decoded pixel's place, so the pretext configs draw them on
# the training device instead, per clip and batched: their models'
# ClipAugmentPreprocessor (_base_/models/recognizer3d.py,
# pretext_preprocessor) takes these very transforms, and pretext_data moves
# them out of the pipeline, whose workers then decode, resize and crop only
# (docs/benchmarks.md#device-augmentation). Finetuning keeps them here.
clip_augments = [dict(type='Flip', flip_ratio=0.5),
                 dict(type='ClipColorJitter')]
# paper §4.2: random crop 112 (after resizing the short side to 128, i.e.
# 128x171 for 4:3 videos), then clip_augments
train_pipeline = [
    dict(type='PyAVSeekInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='PyAVSeekDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomCrop', size=112),
    *clip_augments,
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
test_pipeline = update_pipeline(val_pipeline, SampleFrames=dict(num_clips=10))

# every loader's workers: torch and FFmpeg on one thread each
# (worker_threads_init, mmauxskd/datasets/worker_init.py; seeded as
# mmengine seeds workers; OpenCV is sequential through the runtime's
# opencv_num_threads=0), so that 8 or 15 workers do not start a thread per
# core each; batches in pinned memory for the copy to the GPU (without a
# GPU PyTorch warns once and does not pin). Prefetch stays PyTorch's 2
# batches per worker: stated, prefetch_factor would make num_workers=0 an
# error.
worker_loader = dict(worker_init_fn=dict(type='worker_threads_init'),
                     pin_memory=True)

# batch 30 in total: 15 per GPU on 2 GPUs (paper); scale rule in
# _base_/default_runtime.py (auto_scale_lr); the dataset base adds `dataset`
train_loader = dict(
    batch_size=15,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    **worker_loader)

# UCF101 split 1, mp4/avi videos (MMAction2 list format "relative/path.avi
# label"); docs/data_preparation.md#ucf101 builds the lists. The paper's
# clips (video_clips.py: PyAV decoding, crop 112, 10-clip test).
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

dataset_type = 'RobustVideoDataset'
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_test = 'data/ucf101/ucf101_val_split_1_videos.txt'
prepare_hint = 'see docs/data_preparation.md#ucf101'
num_classes = 101

train_pipeline = config_variable('{{fileDirname}}/video_clips.py',
                                 'train_pipeline')
# one centre clip per video while training; 10 while testing (§4.2)
val_pipeline = config_variable('{{fileDirname}}/video_clips.py',
                               'val_pipeline')
test_pipeline = config_variable('{{fileDirname}}/video_clips.py',
                                'test_pipeline')

_dataset = dict(type=dataset_type, data_prefix=dict(video=data_root),
                prepare_hint=prepare_hint)
train_dataloader = dict(
    config_variable('{{fileDirname}}/video_clips.py', 'train_loader'),
    dataset=dict(ann_file=ann_file_train, pipeline=train_pipeline, **_dataset))
val_dataloader = dict(
    batch_size=15,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(ann_file=ann_file_test, pipeline=val_pipeline,
                 test_mode=True, **_dataset),
    **config_variable('{{fileDirname}}/video_clips.py', 'worker_loader'))
test_dataloader = dict(
    val_dataloader, batch_size=1,
    dataset=dict(val_dataloader['dataset'], pipeline=test_pipeline))
# video top-1/top-5 (clips averaged as the head's average_clips says) plus
# clip accuracy, with the averaging stated in the log
val_evaluator = dict(type='ClipVideoAccMetric')
test_evaluator = val_evaluator

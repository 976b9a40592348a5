# Kinetics-400 training videos as an unlabelled pretraining set (paper §4.1):
# the paper's clips and training loader settings (video_clips.py: resize
# to short side 128, random crop 112, flip, colour jitter, batch 15),
# training loader only. List "relative/path.mp4 label" (any label, e.g. -1),
# built by tools/data/build_kinetics_lists.py;
# docs/data_preparation.md#kinetics.
# For speed, train on a resized copy (tools/data/resize_videos.py --dst-root
# data/kinetics400/videos_128 --list LIST): point data_prefix.video and
# ann_file at it with --cfg-options (docs/data_preparation.md#resized-videos-fast-loading).
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

dataset_type = 'RobustVideoDataset'
data_root = 'data/kinetics400/videos'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
prepare_hint = 'see docs/data_preparation.md#kinetics'
train_pipeline = config_variable('{{fileDirname}}/video_clips.py',
                                 'train_pipeline')
# pretraining only: no evaluation loaders
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_dataloader = dict(
    config_variable('{{fileDirname}}/video_clips.py', 'train_loader'),
    dataset=dict(type=dataset_type, ann_file=ann_file_train,
                 data_prefix=dict(video=data_root), pipeline=train_pipeline,
                 prepare_hint=prepare_hint))

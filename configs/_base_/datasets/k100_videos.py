# Kinetics-100 (paper §4.1: 100 Kinetics-400 classes, about 33K clips) as an
# unlabelled pretraining set: a subset of the Kinetics-400 training videos,
# so the same video root and pipeline as k400_videos.py; only the list
# differs (docs/data_preparation.md#kinetics).
_base_ = ['./k400_videos.py']
ann_file_train = 'data/kinetics100/kinetics100_train_list_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train))

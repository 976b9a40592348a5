# HMDB51 split 1: the UCF101 setting with other lists and 51 classes.
_base_ = ['./ucf101_split1_videos.py']
data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_test = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
prepare_hint = 'see docs/data_preparation.md#hmdb51'
num_classes = 51
_paths = dict(data_prefix=dict(video=data_root), prepare_hint=prepare_hint)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **_paths))
val_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_paths))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_paths))

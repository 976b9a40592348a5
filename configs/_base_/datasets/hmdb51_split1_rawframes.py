# HMDB51 split 1 from extracted JPEG frames.
_base_ = ['./ucf101_split1_rawframes.py']
data_root = 'data/hmdb51/rawframes'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_rawframes.txt'
ann_file_test = 'data/hmdb51/hmdb51_val_split_1_rawframes.txt'
prepare_hint = 'see docs/data_preparation.md#hmdb51'
num_classes = 51
_paths = dict(data_prefix=dict(img=data_root), prepare_hint=prepare_hint)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **_paths))
val_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_paths))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_paths))

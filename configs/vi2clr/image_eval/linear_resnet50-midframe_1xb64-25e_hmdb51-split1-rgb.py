# The middle-frame linear probe of Vi2CLR's 2D encoder on HMDB51 split 1
# (lists and classes of _base_/datasets/hmdb51_split1_videos.py).
_base_ = ['./linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py']
_data = dict(data_prefix=dict(video='data/hmdb51/videos'),
             prepare_hint='see docs/data_preparation.md#hmdb51')
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_test = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **_data))
val_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_data))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **_data))
model = dict(cls_head=dict(num_classes=51))

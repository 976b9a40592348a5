# HMDB51 split 1 from extracted JPEG frames: the HMDB51 video setting
# (hmdb51_split1_videos.py, whose variables this file reads) on the frames,
# as ucf101_split1_rawframes.py is UCF101's.
_base_ = []
from mmauxskd.cfg import config_variables, frame_loaders  # noqa: E402

dataset_type = 'RobustRawframeDataset'
data_root = 'data/hmdb51/rawframes'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_rawframes.txt'
ann_file_test = 'data/hmdb51/hmdb51_val_split_1_rawframes.txt'
prepare_hint = 'see docs/data_preparation.md#hmdb51'
num_classes = 51
train_pipeline, val_pipeline, test_pipeline, val_evaluator, test_evaluator = \
    config_variables('{{fileDirname}}/hmdb51_split1_videos.py',
                     'train_pipeline', 'val_pipeline', 'test_pipeline',
                     'val_evaluator', 'test_evaluator')
train_dataloader, val_dataloader, test_dataloader = frame_loaders(
    '{{fileDirname}}/hmdb51_split1_videos.py', data_root, ann_file_train,
    ann_file_test)

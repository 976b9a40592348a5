# UCF101 split 1 from extracted JPEG frames (MMAction2 layout:
# <video dir>/img_00001.jpg, lists "dir total_frames label"); the same
# sampling and augmentation as the video setting (ucf101_split1_videos.py,
# whose variables this file reads), decoding only the frames a clip uses.
_base_ = []
from mmauxskd.cfg import config_variables, frame_loaders  # noqa: E402

dataset_type = 'RobustRawframeDataset'
data_root = 'data/ucf101/rawframes'
ann_file_train = 'data/ucf101/ucf101_train_split_1_rawframes.txt'
ann_file_test = 'data/ucf101/ucf101_val_split_1_rawframes.txt'
(prepare_hint, num_classes, train_pipeline, val_pipeline, test_pipeline,
 val_evaluator, test_evaluator) = config_variables(
    '{{fileDirname}}/ucf101_split1_videos.py', 'prepare_hint', 'num_classes',
    'train_pipeline', 'val_pipeline', 'test_pipeline', 'val_evaluator',
    'test_evaluator')
# its loaders on the frames (frame_loaders: to_rawframes on each pipeline)
train_dataloader, val_dataloader, test_dataloader = frame_loaders(
    '{{fileDirname}}/ucf101_split1_videos.py', data_root, ann_file_train,
    ann_file_test)

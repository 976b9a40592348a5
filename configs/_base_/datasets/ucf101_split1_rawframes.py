# UCF101 split 1 from extracted JPEG frames (MMAction2 layout:
# <video dir>/img_00001.jpg, lists "dir total_frames label"); the same
# sampling and augmentation as the video setting, decoding only the frames
# a clip uses.
_base_ = ['./ucf101_split1_videos.py']
from mmauxskd.cfg import to_rawframes  # noqa: E402

dataset_type = 'RobustRawframeDataset'
data_root = 'data/ucf101/rawframes'
ann_file_train = 'data/ucf101/ucf101_train_split_1_rawframes.txt'
ann_file_test = 'data/ucf101/ucf101_val_split_1_rawframes.txt'
_frames = dict(type=dataset_type, data_prefix=dict(_delete_=True, img=data_root))
train_dataloader = dict(dataset=dict(
    ann_file=ann_file_train, pipeline=to_rawframes(_base_.train_pipeline), **_frames))
val_dataloader = dict(dataset=dict(
    ann_file=ann_file_test, pipeline=to_rawframes(_base_.val_pipeline), **_frames))
test_dataloader = dict(dataset=dict(
    ann_file=ann_file_test, pipeline=to_rawframes(_base_.test_pipeline), **_frames))

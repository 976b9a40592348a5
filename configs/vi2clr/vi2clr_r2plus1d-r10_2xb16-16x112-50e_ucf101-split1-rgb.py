# Vi2CLR at our budget on UCF101 split 1's training videos (unlabelled;
# Table 7's "UCF" pretraining): the Kinetics-100 recipe with the UCF101
# list. docs/vi2clr.md.
_base_ = ['./vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py']
# the UCF101 list and videos (_base_/datasets/ucf101_split1_videos.py)
train_dataloader = dict(dataset=dict(
    ann_file='data/ucf101/ucf101_train_split_1_videos.txt',
    data_prefix=dict(video='data/ucf101/videos'),
    prepare_hint='see docs/data_preparation.md#ucf101'))

# UCF101 split 1 training videos as an unlabelled pretraining set (paper
# §4.1; labels are ignored): the paper's augmentation and loader settings of
# ucf101_split1_videos.py, training loader only. The paper runs 10x more
# iterations per UCF101 epoch (§4.2, "temporal jittering"): RepeatDataset.
_base_ = ['./ucf101_split1_videos.py']
# pretraining only: no evaluation loaders
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=10,
    dataset=_base_.train_dataloader.dataset))

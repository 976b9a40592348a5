# UCF101 split 1 training videos as an unlabelled pretraining set (paper
# §4.1; labels are ignored): the paper's augmentation and loader settings of
# ucf101_split1_videos.py (its variables, read from it), training loader
# only. The paper runs 10x more iterations per UCF101 epoch (§4.2,
# "temporal jittering"): RepeatDataset.
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

(dataset_type, data_root, ann_file_train, ann_file_test, prepare_hint,
 num_classes, train_pipeline, val_pipeline, test_pipeline,
 train_dataloader) = config_variables(
    '{{fileDirname}}/ucf101_split1_videos.py', 'dataset_type', 'data_root',
    'ann_file_train', 'ann_file_test', 'prepare_hint', 'num_classes',
    'train_pipeline', 'val_pipeline', 'test_pipeline', 'train_dataloader')
# pretraining only: no evaluation loaders
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_dataloader = dict(train_dataloader, dataset=dict(
    type='RepeatDataset', times=10, dataset=train_dataloader['dataset']))

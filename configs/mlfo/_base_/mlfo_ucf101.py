# MLFO's training data on UCF101 split 1's training videos, the paper's
# setting (§4.2): ucf101_split1_videos.py's variables (read from it), labels
# ignored, with the views and loader of the Kinetics-400 recipe
# (mlfo_k400.py); training loader only. A leaf lists it as mlfo_k400.py is
# listed, sets 300 epochs, lr x0.1 at epoch 200, and K = 1000 prototypes
# (the authors' README: 200, the mlfo-k200 leaf).
_base_ = []
from mmauxskd.cfg import config_variables, mlfo_pipeline  # noqa: E402

(dataset_type, data_root, ann_file_train, ann_file_test, prepare_hint,
 num_classes, val_pipeline, test_pipeline, train_pipeline,
 train_dataloader) = config_variables(
    '{{fileDirname}}/../../_base_/datasets/ucf101_split1_videos.py',
    'dataset_type', 'data_root', 'ann_file_train', 'ann_file_test',
    'prepare_hint', 'num_classes', 'val_pipeline', 'test_pipeline',
    'train_pipeline', 'train_dataloader')
train_pipeline = mlfo_pipeline(train_pipeline, clip_size=112)
train_dataloader = dict(train_dataloader, batch_size=64, drop_last=True,
                        dataset=dict(train_dataloader.dataset,
                                     pipeline=train_pipeline))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None

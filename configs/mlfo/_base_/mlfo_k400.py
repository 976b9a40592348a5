# MLFO's training data on Kinetics-400, the paper's setting (§4.2;
# docs/mlfo.md): k400_videos.py's variables (read from it) with MLFO's views
# and loader: batch 256 = 4 x 64 with SyncBN, 112x112 clips. Views (authors'
# code): one 32-frame window at a random step in U[1, min(3, n/32)] -> two
# 16-frame short clips (frames 0:16, 16:32) and the long clip (0:32:2), each
# augmented on its own (random sized crop, flip, per-frame grey and colour
# jitter), decoded in one pass (ViewsOfOneDraw). A leaf lists the backbone,
# MLFO's model (../../_base_/models/mlfo.py), this file and MLFO's
# optimisation and runtime (mlfo_runtime.py).
_base_ = []
from mmauxskd.cfg import config_variables, mlfo_pipeline  # noqa: E402

(dataset_type, data_root, ann_file_train, prepare_hint, val_dataloader,
 val_evaluator, test_dataloader, test_evaluator, train_pipeline,
 train_dataloader) = config_variables(
    '{{fileDirname}}/../../_base_/datasets/k400_videos.py', 'dataset_type',
    'data_root', 'ann_file_train', 'prepare_hint', 'val_dataloader',
    'val_evaluator', 'test_dataloader', 'test_evaluator', 'train_pipeline',
    'train_dataloader')
train_pipeline = mlfo_pipeline(train_pipeline, clip_size=112)
# drop_last: the semantic projection's BatchNorm1d needs a batch > 1
train_dataloader = dict(train_dataloader, batch_size=64, drop_last=True,
                        dataset=dict(train_dataloader.dataset,
                                     pipeline=train_pipeline))

# MLFO pretraining on UCF101 split 1's training videos, the paper's setting
# (§4.2): the Kinetics-400 recipe (mlfo_k400.py); a leaf lists
# mlfo_runtime.py beside this file and sets 300 epochs, lr x0.1 at epoch
# 200; K = 1000 prototypes (the authors' README: 200, the mlfo-k200 leaf).
# Labels are ignored.
_base_ = ['../../_base_/models/mlfo.py',
          '../../_base_/datasets/ucf101_split1_videos.py']
from mmauxskd.cfg import mlfo_pipeline  # noqa: E402

train_pipeline = mlfo_pipeline(_base_.train_pipeline, clip_size=112)
train_dataloader = dict(batch_size=64, drop_last=True,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None

# MLFO pretraining on Kinetics-400, the paper's setting (§4.2; docs/mlfo.md):
# Adam lr 1e-3, wd 1e-5, 100 epochs (x0.1 at 70), batch 256 = 4 x 64 with
# SyncBN, K = 1000 prototypes, queue 1024, 112x112 clips; the leaf adds the
# backbone. Views (authors' code): one 32-frame window at a random step in
# U[1, min(3, n/32)] -> two 16-frame short clips (frames 0:16, 16:32) and the
# long clip (0:32:2), each augmented on its own (random sized crop, flip,
# per-frame grey and colour jitter), decoded in one pass (ViewsOfOneDraw).
# The optimisation is mlfo_runtime.py, which a leaf lists beside this file.
_base_ = ['../../_base_/models/mlfo.py',
          '../../_base_/datasets/k400_videos.py']
from mmauxskd.cfg import mlfo_pipeline  # noqa: E402

train_pipeline = mlfo_pipeline(_base_.train_pipeline, clip_size=112)
# drop_last: the semantic projection's BatchNorm1d needs a batch > 1
train_dataloader = dict(batch_size=64, drop_last=True,
                        dataset=dict(pipeline=train_pipeline))

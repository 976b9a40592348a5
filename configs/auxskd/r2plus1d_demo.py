# auxSKD on the demo's unlabelled split (python tools/data/make_demo_data.py
# --out data/demo; 96 videos of 64x64): the K-100 recipe with only the
# frame size (short side 40, crop 32), the batch (8), the queue (256
# anchors: 32 batches, ~2.7 epochs of this split; a queue much longer than
# the data would mostly hold stale copies of the same videos) and the
# epochs (6) shrunk, so that it runs in a minute or two on 2 CPU cores.
#   python tools/train.py configs/auxskd/r2plus1d_demo.py
#   tools/dist_train.sh configs/auxskd/r2plus1d_demo.py 2
_base_ = ['./r2plus1d_k100.py', '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

_views = [t for t in _base_.train_pipeline if t['type'] == 'TwoViewClips']
_views = update_pipeline(_views[0]['transforms'], **_base_.demo_geometry)
train_pipeline = update_pipeline(_base_.train_pipeline,
                                 TwoViewClips=dict(transforms=_views))
train_dataloader = dict(**_base_.demo_loader, dataset=dict(
    pipeline=train_pipeline, **_base_.demo_unlabelled))
model = dict(queue_size=256)
train_cfg = dict(max_epochs=6)
default_hooks = dict(logger=dict(interval=4))

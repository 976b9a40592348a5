# Demo: the VSPP recipe of vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py on
# the demo's 96 unlabelled videos (tools/data/make_demo_data.py), on CPU in
# about 1.5 minutes. Only frame size (short side 40, crop 32, as
# _base_/datasets/demo_videos.py) and batch (8) shrink; sampler,
# augmentation, model, optimiser and the 20-epoch schedule are the real ones.
_base_ = ['./vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, Resize=dict(scale=(-1, 40)),
    RandomCrop=dict(size=32))
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        ann_file='data/demo/demo_unlabelled_list_videos.txt',
        data_prefix=dict(video='data/demo/videos'),
        prepare_hint='run `python tools/data/make_demo_data.py '
        '--out data/demo`',
        pipeline=train_pipeline))
default_hooks = dict(logger=dict(interval=6))

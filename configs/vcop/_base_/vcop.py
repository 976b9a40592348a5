# VCOP, the method (Xu et al., CVPR 2019; xudejing/video-clip-order-
# prediction): how its leaves build their data. A leaf lists the backbone,
# VCOP's model and tuple sampler (../../_base_/models/vcop.py), the dataset,
# this file, VCOP's optimiser (../../_base_/schedules/sgd_200e_constant_lr.py:
# SGD lr 1e-3 held constant, wd 5e-4, 200 epochs, the paper's Table 1 row;
# a UCF101 leaf shortens the run, the data being repeated x10 per epoch) and
# the runtime, and puts the sampler in place of the dataset's SampleFrames:
#   train_pipeline, train_dataloader = pretext_data(_base_, **_base_.vcop_data)
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

# pretext_data's arguments: the sampler (read from VCOP's model base), and
# VCOP's augmentation: each clip of the tuple gets its own random crop (the
# clips' pixel positions are not aligned), no flip, no colour jitter
vcop_data = dict(
    sampler=config_variable('{{fileDirname}}/../../_base_/models/vcop.py',
                            'vcop_sampler'),
    clip_augment=dict(groups='each', keep=('RandomCrop', )))

# VCOP, the method (Xu et al., CVPR 2019; xudejing/video-clip-order-
# prediction): its model and tuple sampler (read from
# ../../_base_/models/vcop.py) and how its leaves build their data. A leaf
# lists the backbone, this file, the dataset, VCOP's optimiser
# (../../_base_/schedules/sgd_200e_constant_lr.py: SGD lr 1e-3 held
# constant, wd 5e-4, 200 epochs, the paper's Table 1 row; a UCF101 leaf
# shortens the run, the data being repeated x10 per epoch) and the runtime,
# and puts the sampler in place of the dataset's SampleFrames:
#   train_pipeline, train_dataloader = pretext_data(_base_, **_base_.vcop_data)
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

model, vcop_sampler = config_variables(
    '{{fileDirname}}/../../_base_/models/vcop.py', 'model', 'vcop_sampler')
# pretext_data's arguments: the sampler, and VCOP's augmentation: each clip
# of the tuple gets its own random crop (the clips' pixel positions are not
# aligned), no flip, no colour jitter
vcop_data = dict(sampler=vcop_sampler,
                 clip_augment=dict(groups='each', keep=('RandomCrop', )))

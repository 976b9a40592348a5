# VCOP, the method (Xu et al., CVPR 2019; xudejing/video-clip-order-
# prediction): its model and tuple sampler (../../_base_/models/vcop.py) and
# its optimiser: SGD lr 1e-3 held constant, wd 5e-4, 200 epochs (the paper's
# Table 1 row). A leaf adds the backbone and the dataset (and shortens the
# run for UCF101, repeated x10 per epoch) and puts the sampler in place of
# the dataset's SampleFrames:
#   train_pipeline, train_dataloader = pretext_data(_base_, **_base_.vcop_data)
_base_ = ['../../_base_/models/vcop.py',
          '../../_base_/schedules/sgd_200e_constant_lr.py',
          '../../_base_/default_runtime.py']
# pretext_data's arguments: the sampler, and VCOP's augmentation: each clip
# of the tuple gets its own random crop (the clips' pixel positions are not
# aligned), no flip, no colour jitter
vcop_data = dict(sampler=_base_.vcop_sampler,
                 clip_augment=dict(groups='each', keep=('RandomCrop', )))

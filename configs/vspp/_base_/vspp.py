# VSPP, the method (paper §3.2, §4.2): its model and sampler
# (../../_base_/models/vspp.py), 20 epochs, SGD lr 1e-3, batch 30 (2 GPUs x
# 15), x0.1 every 6 epochs. A leaf adds the backbone and the dataset and puts
# the sampler in place of the dataset's SampleFrames:
#   _base_ = ['../_base_/models/r3d_18.py',
#             '../_base_/datasets/k100_videos.py', './_base_/vspp.py']
#   train_pipeline, train_dataloader = pretext_data(_base_,
#                                                   _base_.vspp_sampler)
#   model = dict(backbone=_base_.backbone)
_base_ = ['../../_base_/models/vspp.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']

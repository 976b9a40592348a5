# VCOP pretext on Kinetics-100, any backbone (the leaf adds it):
# ClipOrderSampler in place of SampleFrames, VCOP model, the project's
# pretext schedule (SGD lr 1e-3, wd 5e-4 as VCOP; 20 epochs, batch 30 = 2 GPUs
# x 15, x0.1 every 6 epochs), so VCOP and VSPP are compared on equal terms.
_base_ = ['../../_base_/models/vcop.py',
          '../../_base_/datasets/k100_videos.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']
from mmauxskd.datasets.transforms import replace_sampler  # noqa: E402

train_pipeline = replace_sampler(_base_.train_pipeline, _base_.vcop_sampler,
                                 algorithm_keys=('order_label', ))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

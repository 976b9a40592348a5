# VSPP pretext (paper §3.2, §4.2) on UCF101 split 1 (x10 per epoch), any
# backbone (the leaf adds it): SegmentPaceSampler in place of SampleFrames,
# VSPP model, 20 epochs, SGD lr 1e-3, batch 30 (2 GPUs x 15), x0.1 every 6
# epochs.
_base_ = ['../../_base_/models/vspp.py',
          '../../_base_/datasets/pretext_ucf101_split1_videos.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']
from mmauxskd.datasets.transforms import replace_sampler  # noqa: E402

train_pipeline = replace_sampler(_base_.train_pipeline, _base_.vspp_sampler)
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))

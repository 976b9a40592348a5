# auxSKD with R(2+1)D-10 on the UCF101 split-1 training videos, labels
# unused, 10 passes per epoch (paper Table 2, §4.2); see r2plus1d_k100.py.
_base_ = ['../_base_/models/r2plus1d_r10.py',
          '../_base_/datasets/pretext_ucf101_split1_videos.py',
          './_base_/auxskd.py']
from mmauxskd.datasets.transforms import two_view_pipeline  # noqa: E402

train_pipeline = two_view_pipeline(_base_.train_pipeline,
                                   sampler=_base_.vspp_sampler)
train_dataloader = dict(drop_last=True,
                        dataset=dict(dataset=dict(pipeline=train_pipeline)))
model = dict(backbone=_base_.backbone)

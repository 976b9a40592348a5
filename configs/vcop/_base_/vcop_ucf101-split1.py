# VCOP pretext on UCF101 split 1 (VCOP's own pretraining set; x10 per epoch
# as the paper's "temporal jittering"), any backbone: as vcop_k100.py with
# the dataset swapped.
_base_ = ['../../_base_/models/vcop.py',
          '../../_base_/datasets/pretext_ucf101_split1_videos.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']
from mmauxskd.datasets.transforms import replace_sampler  # noqa: E402

train_pipeline = replace_sampler(_base_.train_pipeline, _base_.vcop_sampler,
                                 algorithm_keys=('order_label', ))
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))

# Vi2CLR paper Table 1/2's protocol, for users who have ImageNet: a linear
# classifier on the frozen 2D encoder (ResNet-50), ImageNet-1k train -> val
# top-1, with the paper's linear-evaluation schedule
# (../../_base_/schedules/adam_100e_linear.py).
#   bash tools/dist_train.sh THIS_CONFIG 8 --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
# Data layout: ../../_base_/datasets/imagenet_images.py.
_base_ = ['../../_base_/models/resnet50_linear_probe.py',
          '../../_base_/datasets/imagenet_images.py',
          '../../_base_/schedules/adam_100e_linear.py',
          '../../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=_base_.num_classes))
auto_scale_lr = dict(base_batch_size=256)  # 8 GPUs x 32

# For users who have PASCAL VOC 2007: a multi-label linear classifier (one
# logistic output per class, BCE) on the frozen 2D encoder, trainval ->
# test mAP, with the ImageNet probe's schedule. Not the paper's Table 3
# protocol (linear SVMs on a few labelled images per class, after Goyal et
# al.'s benchmark), which needs an SVM stack outside MMAction2: this
# measures the same property (how linearly separable VOC's objects are in
# the encoder's features) with MMAction2's head and mAP metric.
#   bash tools/dist_train.sh THIS_CONFIG 8 --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
# Lists: tools/data/voc07_lists.py (../../_base_/datasets/voc07_images.py).
_base_ = ['../../_base_/models/resnet50_linear_probe.py',
          '../../_base_/datasets/voc07_images.py',
          '../../_base_/schedules/adam_100e_linear.py',
          '../../_base_/default_runtime.py']
# one logit per class (BCE); scores are the logits ('score'), not a softmax
# across classes, so each class ranks the images by its own sigmoid
model = dict(cls_head=dict(num_classes=_base_.num_classes, multi_class=True,
                           loss_cls=dict(type='BCELossWithLogits'),
                           average_clips='score'))
auto_scale_lr = dict(base_batch_size=256)  # 8 GPUs x 32

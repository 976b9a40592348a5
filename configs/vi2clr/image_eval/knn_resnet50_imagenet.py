# Weighted kNN (k 20, T 0.07) of Vi2CLR's frozen 2D encoder on ImageNet-1k:
# validation images classified by their nearest training images (no
# training; the gallery is the 1.28M training images, centre-cropped).
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50_8xb32-100e_imagenet.py']
gallery_dataloader = dict(
    _base_.test_dataloader,
    dataset=dict(_base_.test_dataloader.dataset,
                 ann_file=_base_.train_dataloader.dataset.ann_file,
                 data_prefix=_base_.train_dataloader.dataset.data_prefix))
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

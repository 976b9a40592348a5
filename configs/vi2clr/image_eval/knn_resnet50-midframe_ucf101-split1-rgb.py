# Weighted kNN (k 20, T 0.07) of Vi2CLR's frozen 2D encoder on the middle
# frames of ucf101 split 1: test videos' frames classified by their nearest
# training frames (no training).
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py']
# the training videos' middle frames, read as the test videos' are
gallery_dataloader = dict(
    _base_.test_dataloader,
    dataset=dict(_base_.test_dataloader.dataset,
                 ann_file=_base_.train_dataloader.dataset.ann_file))
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)

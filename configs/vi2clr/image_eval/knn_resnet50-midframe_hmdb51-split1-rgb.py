# The middle-frame kNN of Vi2CLR's 2D encoder on HMDB51 split 1: the
# training videos' frames as the gallery, the test videos' as queries; the
# UCF101 linear probe config with HMDB51's lists, as the UCF101 kNN
# (knn_resnet50-midframe_ucf101-split1-rgb.py) is on UCF101's.
#   python tools/analysis/retrieval.py THIS_CONFIG VI2CLR_CKPT \
#       --prefix image_backbone.
_base_ = ['./linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py']
_hmdb = dict(data_prefix=dict(video='data/hmdb51/videos'),
             prepare_hint='see docs/data_preparation.md#hmdb51')
# the training videos' middle frames, read as the test videos' are
gallery_dataloader = dict(_base_.test_dataloader, dataset=dict(
    _base_.test_dataloader.dataset,
    ann_file='data/hmdb51/hmdb51_train_split_1_videos.txt', **_hmdb))
test_dataloader = dict(dataset=dict(
    ann_file='data/hmdb51/hmdb51_val_split_1_videos.txt', **_hmdb))
test_evaluator = dict(_delete_=True, type='KNNAccMetric', k=20)
model = dict(cls_head=dict(num_classes=51))

# Video retrieval on UCF101 split 1, VCOP / RSPNet protocol: the pretrained
# backbone frozen, features pooled and averaged over the 10 test clips, test
# videos as queries against the training videos, cosine similarity,
# R@1/5/10/20.
#   python tools/analysis/retrieval.py THIS_CONFIG CHECKPOINT
_base_ = ['../finetune/r2plus1d-r10_2xb15-16x1x1-25e_ucf101-split1-rgb.py']
from mmauxskd.cfg import gallery_loader  # noqa: E402

# the training videos, read as the test videos are (10 clips, centre crop)
gallery_dataloader = gallery_loader(_base_)
test_evaluator = dict(type='VideoRetrievalMetric', topk=(1, 5, 10, 20))

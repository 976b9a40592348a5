"""Write the tiny checkpoints of tests/test_legacy_checkpoints.py.

They were written by the code BEFORE VCOP and RSPNet followed their
original code (main at 319d2b4, where RSPNet named its key encoder
``teacher`` (children ``0, 1, 2``) and its queue ``anchor_queue``), with::

    cd /work/main   # a checkout of 319d2b4
    PYTHONPATH=$PWD .venv/bin/python \
        /path/to/tests/data/legacy/make_legacy_checkpoints.py OUT_DIR

The script uses that code's API (``model.anchor_queue``, ``model.teacher``)
and does not run against the current code; it is kept as the record of
how the files were made. Tiny widths (2 base channels, 8-d embeddings, a
queue of 6) keep each file well under 1 MB. The key encoder / teacher is
moved away from the online encoder (an EMA step after a perturbation) and
the queue holds known rows at a non-zero pointer, so that a wrong key
mapping cannot pass the test.
"""
import os.path as osp
import sys

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import (get_state_dict, save_checkpoint,
                                        weights_to_cpu)
from mmaction.registry import MODELS

import mmauxskd  # noqa: F401

D, H = 8, 6


def backbone(root):
    cfg = Config.fromfile(
        osp.join(root, 'configs/_base_/models/r2plus1d_r10.py')).backbone
    return dict(cfg, base_channels=2)  # 16 output channels


def configs(root):
    mlp = dict(type='VideoMLPNeck', in_channels=16, hid_channels=16,
               out_channels=D, num_layers=2)
    return dict(
        auxskd=dict(
            type='AuxSKD', backbone=backbone(root),
            neck=dict(type='VideoMLPNeck', in_channels=16, out_channels=D),
            predictor=dict(type='VideoMLPNeck', in_channels=D,
                           hid_channels=16, out_channels=D, num_layers=2,
                           with_avg_pool=False),
            head=dict(type='SimilarityDistillHead'),
            queue_size=H, feat_dim=D, momentum=0.5),
        rspnet=dict(type='RSPNet', backbone=backbone(root), neck=mlp,
                    speed_neck=mlp, queue_size=H, feat_dim=D, momentum=0.5),
        vspp=dict(type='VSPP', backbone=backbone(root),
                  head=dict(type='VSPPHead', in_channels=16)),
        vcop=dict(type='VCOP', backbone=backbone(root),
                  head=dict(type='VCOPHead', in_channels=16, num_clips=3,
                            hidden_channels=16)))


def main(out_dir, root='.'):  # run in the checkout's root
    init_default_scope('mmaction')
    for name, cfg in configs(root).items():
        torch.manual_seed(0)
        model = MODELS.build(cfg)
        model.init_weights()
        if hasattr(model, 'momentum_update'):
            with torch.no_grad():  # move the online encoder away ...
                for p in model.parameters():
                    if p.requires_grad:
                        p.add_(0.1 * torch.randn_like(p))
            model.momentum_update()  # ... so the EMA differs from both
            model.anchor_queue.enqueue(F.normalize(torch.randn(4, D), dim=1))
        save_checkpoint(
            dict(meta=dict(note='written by mmauxskd before VCOP and RSPNet '
                                'followed their original code'),
                 state_dict=weights_to_cpu(get_state_dict(model))),
            osp.join(out_dir, f'{name}_tiny.pth'))


if __name__ == '__main__':
    main(sys.argv[1])

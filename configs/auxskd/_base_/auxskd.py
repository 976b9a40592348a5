# auxSKD, the auxiliary pretraining stage (paper §3.1, Algorithm 1, §4.2),
# without backbone and data: its model, sampler, optimisation and hooks. A
# leaf lists the backbone, the dataset, this file and the runtime
# (auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py) and applies it:
#   train_pipeline, train_dataloader = pretext_data(_base_,
#                                                   **_base_.auxskd_data)
#   model = dict(backbone=_base_.backbone)
#   custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
# (a base inherits nothing, and the runtime's custom_hooks are the leaf's to
# extend).
_base_ = []
from mmauxskd.cfg import config_variable, config_variables  # noqa: E402

# each of the two views is drawn by VSPP's sampler (§3.1: "VSPP is applied
# twice ... independently"), read from VSPP's model base; drop_last: the
# predictor's BatchNorm1d cannot train on a batch of one
vspp_sampler = config_variable('{{fileDirname}}/../../_base_/models/vspp.py',
                               'vspp_sampler')
auxskd_data = dict(sampler=vspp_sampler, two_view=True, drop_last=True)

feat_dim = 128
model = dict(
    type='AuxSKD',
    # projection: one fully-connected layer, 512 -> 128 (§3.1), in the
    # student and the teacher (both backbones give 512 channels)
    neck=dict(type='VideoMLPNeck', in_channels=512, out_channels=feat_dim),
    # predictor (§4.2: "3-layer MLP with hidden dimension 1024, output 128"):
    # 128-1024-128, Linear-BN-ReLU-Linear as in the authors' code;
    # num_layers=3 adds a second hidden Linear-BN-ReLU (docs/auxskd.md)
    predictor=dict(type='VideoMLPNeck', in_channels=feat_dim,
                   hid_channels=1024, out_channels=feat_dim, num_layers=2,
                   with_avg_pool=False),
    # gamma_T = gamma_S = 0.02 (§4.2); the authors' code used gamma_S = 0.1
    head=dict(type='SimilarityDistillHead', temp_student=0.02,
              temp_teacher=0.02),
    queue_size=16384,  # H (§4.2, after MoCo)
    feat_dim=feat_dim,
    momentum=0.001,  # 1 - m: theta_T <- (1 - 0.001) theta_T + 0.001 theta_S
    # the input normalisation of VSPP and finetuning, after flip and colour
    # jitter on the training device, drawn for each of the two views apart
    # (and shared by the clips of a view, as MultiViewClips would)
    data_preprocessor=config_variable(
        '{{fileDirname}}/../../_base_/models/recognizer3d.py',
        'pretext_preprocessor', num_views=2))

# Schedule (§4.2): the pretext schedule (sgd_20e_pretext.py, read from it:
# 20 epochs, batch 30, SGD lr 1e-3 x0.1 every 6 epochs) without gradient
# clipping (paper and authors' code): the schedule's max_norm=40 (made for
# cross-entropy finetuning) would always bind here, the gradients of a KL at
# temperature 0.02 being ~50x larger, and turn SGD into normalised-gradient
# descent
train_cfg, val_cfg, test_cfg, optim_wrapper, param_scheduler = \
    config_variables(
        '{{fileDirname}}/../../_base_/schedules/sgd_20e_pretext.py',
        'train_cfg', 'val_cfg', 'test_cfg', 'optim_wrapper',
        'param_scheduler', optim_wrapper=dict(clip_grad=None))

# Algorithm 1 step 6 (EMA teacher update) and step 9 (enqueue), which a leaf
# appends to the runtime's custom_hooks. A cosine momentum schedule:
# dict(type='MomentumTeacherHook', schedule='cosine')
auxskd_hooks = [dict(type='MomentumTeacherHook'), dict(type='AnchorQueueHook')]

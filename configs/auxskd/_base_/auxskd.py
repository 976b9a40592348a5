# auxSKD, the auxiliary pretraining stage (paper §3.1, Algorithm 1, §4.2),
# without backbone and data: a leaf config adds them (auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py).
# Schedule (§4.2): 20 epochs, batch 30, SGD lr 1e-3 x0.1 every 6 epochs.
# vspp_sampler: each of the two views is drawn by VSPP's sampler (§3.1:
# "VSPP is applied twice ... independently"), defined once in VSPP's model
# base; a leaf builds its pipeline with pretext_data(_base_,
# _base_.vspp_sampler, two_view=True). Its model is replaced below.
_base_ = ['../../_base_/models/vspp.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']

feat_dim = 128
model = dict(
    _delete_=True,
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
    # the input normalisation of VSPP and finetuning
    data_preprocessor=_base_.model.data_preprocessor)

# no gradient clipping (paper and authors' code): the schedule's max_norm=40
# (made for cross-entropy finetuning) would always bind here, the gradients
# of a KL at temperature 0.02 being ~50x larger, and turn SGD into
# normalised-gradient descent
optim_wrapper = dict(clip_grad=None)

# Algorithm 1 step 6 (EMA teacher update) and step 9 (enqueue). A cosine
# momentum schedule: dict(type='MomentumTeacherHook', schedule='cosine')
custom_hooks = _base_.custom_hooks + [
    dict(type='MomentumTeacherHook'),
    dict(type='AnchorQueueHook')
]

# RSPNet (Chen et al., AAAI 2021): per video an anchor clip at speed s_a, a
# positive at s_a and a negative at the other speed (16 frames from a
# 32-frame window, speed 1 = its first 16, speed 2 = every other frame);
# query encoder + two 128-d heads (appearance A: InfoNCE against a queue of
# 16384 keys at T = 0.07; speed M: margin ranking, margin 2.0 on T-scaled
# logits), EMA key encoder (m = 0.999); loss A + M, with A the sum of its
# two InfoNCE terms (k+ and k-) and the k- keys enqueued, as in the authors'
# code. The leaf adds the backbone (_base_/models/<backbone>.py).
# docs/pretexts.md#rspnet
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402
rspnet_sampler = dict(type='RelativeSpeedSampler', clip_len=16, speeds=(1, 2))
feat_dim = 128
model = dict(
    type='RSPNet',
    # the heads of the authors' default config: one Linear(512 -> 128) each
    # (an MLP is an option: num_layers=2, hid_channels=512)
    neck=dict(type='VideoMLPNeck', in_channels=512, out_channels=feat_dim),
    speed_neck=dict(type='VideoMLPNeck', in_channels=512,
                    out_channels=feat_dim),
    queue_size=16384,
    feat_dim=feat_dim,
    # loss A (InfoNCE at T) + loss M (margin ranking on T-scaled logits)
    head=dict(type='RSPNetHead', temperature=0.07, margin=2.0),
    momentum=0.001,  # 1 - m, the query encoder's weight in the EMA
    # normalisation after flip and colour jitter on the training device;
    # RSPNet's method base (configs/rspnet/_base_/rspnet.py) draws them per
    # window
    data_preprocessor=config_variable('{{fileDirname}}/recognizer3d.py',
                                      'pretext_preprocessor'))

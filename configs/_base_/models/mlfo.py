# MLFO (Qian et al., ICCV 2021): one backbone (no momentum encoder), three
# feature levels, per-level projection necks (motion excitation on low and
# mid: side branches, inference is the plain backbone), and the losses of
# §3 as heads. Defaults follow the authors' code where it and the paper
# disagree (docs/mlfo.md lists each; the paper's choices are options). The
# leaf adds the backbone (_base_/models/<backbone>.py); low = layer2,
# mid = layer3, high = layer4 (read by forward hooks).
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402
feat_dim = 128
mlfo_levels = dict(low=128, mid=256, high=512)  # R3D-18 / R(2+1)D widths
model = dict(
    type='MLFO',
    levels=mlfo_levels,
    level_layers=dict(low='layer2', mid='layer3', high='layer4'),
    # per-level projection [ME] -> pool -> per-step MLP; in_channels from
    # levels, the ME block (reduce /16) on motion_levels
    level_neck=dict(type='MLFOLevelNeck', out_channels=feat_dim,
                    reduction=16),
    motion_levels=('low', 'mid'),
    # semantic projection: Linear-BN-ReLU-Linear on the high level [code]
    semantic_neck=dict(type='VideoMLPNeck', in_channels=512, hid_channels=512,
                       out_channels=feat_dim, num_layers=2),
    instance_head=dict(type='MLFOInstanceHead', temperature=0.07),
    # K prototypes, Sinkhorn eps 0.05 x 3, a queue of 1024 past scores;
    # weight 0.25 = the code's 0.5 (swapped loss) x 0.5 (total) [code]
    semantic_head=dict(type='MLFOSemanticHead', num_prototypes=1000,
                       feat_dim=feat_dim, temperature=0.1, epsilon=0.05,
                       iterations=3, queue_size=1024, loss_weight=0.25),
    # L_mul on high / mid / low at 1 / 0.5 / 0.3, eta 0.05, code's W [code]
    graph_head=dict(type='MLFOGraphHead',
                    levels=dict(high=1.0, mid=0.5, low=0.3), eta=0.05,
                    temperature=0.07, variant='code', graph='combined'),
    # L_aug (reverse; other videos negatives too) at low 0.3 / mid 0.5,
    # L_ret at every level [code]
    temporal_head=dict(type='MLFOTemporalHead',
                       aug_levels=dict(low=0.3, mid=0.5),
                       ret_levels=dict(low=1.0, mid=1.0, high=1.0),
                       augmentations=('reverse', ), negatives='code',
                       temperature=0.07),
    graph_start=0.1,  # stage 2 after 10% of the epochs (paper Fig. 3)
    queue_start_epoch=10,
    freeze_prototypes_epochs=1,
    data_preprocessor=config_variable('{{fileDirname}}/recognizer3d.py',
                                      'model').data_preprocessor)

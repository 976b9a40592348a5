# VCOP's own schedule at the budget of its row in the paper's Table 1:
# SGD momentum 0.9, weight decay 5e-4, lr 1e-3 held for all 200 epochs
# (train_vcop.py builds a plateau scheduler but never steps it), for a
# total batch of 30; pretext training, no validation.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_begin=1,
                 val_interval=1)
val_cfg = test_cfg = None
# the pretext schedule's optimiser (sgd_20e_pretext.py), never decayed
optim_wrapper = config_variable('{{fileDirname}}/sgd_20e_pretext.py',
                                'optim_wrapper')
param_scheduler = []

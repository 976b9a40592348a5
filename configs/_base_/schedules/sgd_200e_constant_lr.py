# VCOP's own schedule at the budget of its row in the paper's Table 1:
# SGD momentum 0.9, weight decay 5e-4, lr 1e-3 held for all 200 epochs
# (train_vcop.py builds a plateau scheduler but never steps it), for a
# total batch of 30.
_base_ = ['./sgd_20e_pretext.py']
train_cfg = dict(max_epochs=200)
param_scheduler = []

# Pretext schedule (paper §4.2, both stages): SGD momentum 0.9, weight decay
# 5e-4, lr 1e-3 for a total batch of 30, x0.1 every 6 epochs, 20 epochs.
_base_ = ['./sgd_25e.py']
train_cfg = dict(max_epochs=20)  # no validation during pretext training
val_cfg = None  # the dataset base sets the loaders/evaluators to None
test_cfg = None
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='StepLR', step_size=6, gamma=0.1, by_epoch=True, begin=0,
         end=20)
]

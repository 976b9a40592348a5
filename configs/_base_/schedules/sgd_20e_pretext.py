# Pretext schedule (paper §4.2, both stages): SGD momentum 0.9, weight decay
# 5e-4, lr 1e-3 for a total batch of 30, x0.1 every 6 epochs, 20 epochs;
# the gradient clipping of the finetuning schedule (sgd_25e.py), which a
# method base may lift (clip_grad=None).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_begin=1,
                 val_interval=1)
val_cfg = None  # no validation during pretext training: the dataset base
test_cfg = None  # sets the loaders/evaluators to None
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='StepLR', step_size=6, gamma=0.1, by_epoch=True, begin=0,
         end=20)
]

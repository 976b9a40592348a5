# Vi2CLR's linear-evaluation schedule (paper §4.2): 100 epochs, Adam,
# weight decay 1e-4, lr 0.01 "reduced by a factor of 10 every 100 epochs"
# (so constant over the 100), for a total batch of 256 (8 GPUs x 32: the
# paper does not give it; a leaf sets auto_scale_lr.base_batch_size = 256,
# so that --auto-scale-lr scales the lr from it). Validation every 5
# epochs.
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=0.01, weight_decay=1e-4),
    clip_grad=None)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_begin=1,
                 val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='StepLR', step_size=100, gamma=0.1, by_epoch=True, begin=0,
         end=100)
]

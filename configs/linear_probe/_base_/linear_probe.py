# The linear-probe protocol, variables only; a leaf inherits a finetuning
# config and applies them:
#   _base_ = ['../finetune/<config>.py', './_base_/linear_probe.py']
#   model = _base_.linear_probe_model
#   optim_wrapper = _base_.linear_probe_optim
linear_probe_model = dict(
    # frozen_stages=4 puts the stem and all 4 stages in eval mode with
    # requires_grad=False at every model.train(): neither the weights nor the
    # BatchNorm running statistics change (norm_eval for any other BN)
    backbone=dict(frozen_stages=4, norm_eval=True),
    # a plain linear classifier on the pooled features
    cls_head=dict(dropout_ratio=0.0))
# only the classifier learns: a larger lr than finetuning
linear_probe_optim = dict(optimizer=dict(lr=0.1))

# auxSKD + VideoPace on the demo data, stage 1: the auxSKD + VideoPace K-100 leaf
# (auxskd-videopace_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py: VideoPace's own sampler in MultiViewClips) shrunk as the auxSKD demo
# config (auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py) is, with the
# demo numbers they share (_base_/auxskd_demo.py).
# Stage 2 initialises VideoPace from the student; tools/run_demo.py --arms
# auxskd_videopace runs the whole chain. The 200 steps are 34 epochs of 6
# (iter_schedule), and the last checkpoint is epoch_34.pth:
#   python tools/train.py configs/videopace/videopace_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py \
#       --pretrained work_dirs/auxskd-videopace_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb/epoch_34.pth
_base_ = ['./auxskd-videopace_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py', './_base_/auxskd_demo.py']
from mmauxskd.cfg import demo_data, instance_val  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_)
model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
# the instance readout, as in the auxSKD demo config
val_dataloader, val_evaluator, val_cfg = instance_val(
    train_pipeline, _base_.demo_pretext_val)

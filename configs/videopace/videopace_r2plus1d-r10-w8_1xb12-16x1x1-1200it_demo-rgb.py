# Demo: VideoPace (VSPP with one segment, configs/videopace/_base_/
# videopace.py) on the demo's unlabelled videos: the VideoPace K-100 leaf
# shrunk as the VSPP demo config is (32x32 crops, 8-wide R(2+1)D-10, batch
# 12, 1200 steps; ../vspp/_base_/vspp_demo.py, whose reasons
# configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py and
# docs/small_data.md give). Reports the pace accuracy on held-out clips.
_base_ = ['./videopace_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py', '../vspp/_base_/vspp_demo.py']
from mmauxskd.cfg import demo_data, pretext_val, take_off  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_, _base_.demo_batch_size)
model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
custom_hooks = _base_.custom_hooks + [
    take_off('loss_pace', 4, max_iters=_base_.demo_max_iters)]
val_dataloader, val_evaluator, val_cfg = pretext_val(
    train_pipeline, _base_.demo_pretext_val, ('pace', ))

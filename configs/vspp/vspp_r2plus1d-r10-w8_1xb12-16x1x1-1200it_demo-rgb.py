# Demo: the VSPP recipe of vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py
# (sampler, augmentation, model, SGD) on the demo's 96 unlabelled videos,
# with what the demo shrinks (_base_/datasets/demo_unlabelled.py: 32x32
# crops, an 8-channel-wide R(2+1)D-10) and a step budget instead of the
# paper's 20 epochs (docs/small_data.md): 1200 steps of batch 12, warm-up,
# lr 0.02 held until half of the run, then cosine; lr and schedule chosen on
# the held-out pretext split (the segment task leaves chance after 300-600
# steps, the pace task only after it, so it needs steps at the full lr).
# These numbers are in _base_/vspp_demo.py, which the VideoPace demo shares.
# At the end the pace and segment accuracy on held-out clips
# (demo_pretext_val) is reported.
_base_ = ['./vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py', './_base_/vspp_demo.py']
from mmauxskd.cfg import demo_data, pretext_val, take_off  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_, _base_.demo_batch_size)
model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
custom_hooks = _base_.custom_hooks + [
    take_off('loss_segment', 4, max_iters=_base_.demo_max_iters)]
val_dataloader, val_evaluator, val_cfg = pretext_val(
    train_pipeline, _base_.demo_pretext_val, ('pace', 'segment'))

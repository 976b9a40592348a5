# auxSKD on the demo's unlabelled split (python tools/data/make_demo_data.py
# --out data/demo; 96 videos of 64x64): the K-100 recipe (two VSPP-sampled
# views, student + EMA teacher, predictor, KL of similarity distributions,
# temperatures 0.02) with what the demo shrinks (_base_/datasets/
# demo_unlabelled.py: 32x32 crops, an 8-channel-wide R(2+1)D-10, batch 16)
# and the run-length rule of docs/small_data.md (the numbers in
# _base_/auxskd_demo.py, which the auxSKD + X demos share):
# * 200 steps, warm-up then cosine, instead of 20 epochs (300 until the
#   default demo had to fit its 15 minutes; neither helped VSPP after it,
#   docs/small_data.md);
# * teacher momentum m = 1 - 20 / steps = 0.9: the teacher averages the
#   last ~10 students (1 / (1 - m), 5% of the run). The paper's m = 0.999
#   on K-100's ~21,700 steps is the same rule; at 200 steps it would leave
#   the teacher 82% its random initialisation (0.999^200);
# * 128 anchors (8 batches): the anchors are at most as old as the
#   teacher's horizon, as the paper's 16,384 anchors (546 batches of 30)
#   are on K-100;
# * lr 0.005, a quarter of VSPP's: the KL at temperature 0.02 has ~50x the
#   gradient of a cross-entropy, and without clipping (as the paper) a
#   larger lr inflates the backbone's weights (lr 0.05: the first conv's
#   norm x28, after which VSPP and finetuning stayed at chance; 0.015: x12;
#   0.005: x4, kNN on the validation split at or above the random
#   initialisation's). docs/small_data.md has the measurements.
#   python tools/train.py configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py
#   tools/dist_train.sh configs/auxskd/auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py 2
_base_ = ['./auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py', './_base_/auxskd_demo.py']
from mmauxskd.cfg import demo_data, instance_val  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_)
model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
# the instance readout on the held-out videos (demo_pretext_val): two views
# of each drawn and augmented as in training, seeded per video (4 seeds);
# top-1 of a view's other view among all 32 videos' (chance 1/32), at the
# end of the run
val_dataloader, val_evaluator, val_cfg = instance_val(
    train_pipeline, _base_.demo_pretext_val)

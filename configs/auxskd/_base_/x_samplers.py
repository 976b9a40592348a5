# auxSKD + X (paper §4.3): auxSKD trained with X's own sampling, one sampler
# per X for MultiViewClips, each read from (or derived from) X's own
# definition, so the two stay equal, and the pretext_data arguments of an
# auxSKD + X leaf: auxSKD's (auxskd.py) with X's sampler. (No base: the
# empty list keeps this an old-style config, which may import helpers.)
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

# VideoPace: one clip at pace λ in 1..4 throughout (VSPP's sampler, Z = 1,
# as configs/videopace/)
videopace_sampler = dict(
    config_variable('{{fileDirname}}/../../_base_/models/vspp.py',
                    'vspp_sampler'), num_segments=1)
# VCOP: a whole tuple per view, 3 clips of 16 frames 8 apart, shuffled;
# AuxSKD pairs clip j of the student's tuple with clip j of the teacher's
vcop_sampler = config_variable('{{fileDirname}}/../../_base_/models/vcop.py',
                               'vcop_sampler')
# RSPNet: one 16-frame clip at speed 1 or 2 from a 32-frame window
rspnet_sampler = dict(
    config_variable('{{fileDirname}}/../../_base_/models/rspnet.py',
                    'rspnet_sampler'), triplet=False)

# auxSKD's pretext_data arguments (two views, full batches) with X's sampler:
#   train_pipeline, train_dataloader = pretext_data(
#       _base_, **_base_.auxskd_vcop_data)
_auxskd_data = config_variable('{{fileDirname}}/auxskd.py', 'auxskd_data')
auxskd_videopace_data = dict(_auxskd_data, sampler=videopace_sampler)
auxskd_vcop_data = dict(_auxskd_data, sampler=vcop_sampler)
auxskd_rspnet_data = dict(_auxskd_data, sampler=rspnet_sampler)

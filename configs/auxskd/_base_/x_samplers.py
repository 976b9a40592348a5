# auxSKD + X (paper §4.3): auxSKD trained with X's own sampling, one sampler
# per X for TwoViewClips. Keep them equal to the X configs' samplers.
# VideoPace: one clip at pace λ in 1..4 throughout (configs/videopace/)
videopace_sampler = dict(type='SegmentPaceSampler', clip_len=16,
                         num_segments=1, num_paces=4)
# VCOP: a whole tuple per view, 3 clips of 16 frames 8 apart, shuffled
# (vcop_sampler of ../../_base_/models/vcop.py); AuxSKD pairs clip j of the
# student's tuple with clip j of the teacher's
vcop_sampler = dict(type='ClipOrderSampler', clip_len=16, interval=8,
                    num_clips_tuple=3)
# RSPNet: one 16-frame clip at speed 1 or 2 from a 32-frame window
# (rspnet_sampler of ../../_base_/models/rspnet.py, single clip)
rspnet_sampler = dict(type='RelativeSpeedSampler', clip_len=16,
                      speeds=(1, 2), triplet=False)

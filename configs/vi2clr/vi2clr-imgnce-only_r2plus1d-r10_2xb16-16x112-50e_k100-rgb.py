# Table 6 ablation: ImgNCE alone, the image stream (middle frames) trained
# by itself with clusters of its own embedding r_I (§4.6); the budget
# recipe of vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py.
_base_ = ['./vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py']
model = dict(backbone=None, video_neck=None, joint_neck=None,
             video_head=None, center_head=None, cluster_on='image')

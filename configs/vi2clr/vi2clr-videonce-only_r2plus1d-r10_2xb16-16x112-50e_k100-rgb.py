# Table 6 ablation: VideoNCE alone, the video stream trained by itself with
# clusters of its own embedding r_V (§4.6); the budget recipe of
# vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py.
_base_ = ['./vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py']
model = dict(image_backbone=None, image_neck=None, joint_neck=None,
             image_head=None, center_head=None, cluster_on='video')

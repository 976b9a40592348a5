# Table 6 ablation: CenterNCE alone ("joint training of video and image with
# L_CenterNCE only"), clusters of r_J; the budget recipe of vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py.
_base_ = ['./vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py']
model = dict(video_head=None, image_head=None)

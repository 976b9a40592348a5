# Table 1: k-means instead of FINCH, with FINCH's number of clusters (as the
# paper: "we use the FINCH estimated clusters K as input to K-means"); the
# budget recipe of vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py.
_base_ = ['./vi2clr_r2plus1d-r10_2xb16-16x112-50e_k100-rgb.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

custom_hooks = update_pipeline(_base_.custom_hooks,
                               Vi2CLRClusterHook=dict(method='kmeans'))

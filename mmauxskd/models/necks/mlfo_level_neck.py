"""MLFO's per-level projection neck (Qian et al., ICCV 2021, §3.3).

A level's backbone feature map ``(N, C, T, H, W)`` becomes per-step
features ``(N, D, T)`` (timestamp retrieval, Eq. 13) and, their temporal
mean, the level's clip embedding ``(N, D)`` (Eq. 2-3, 10-12). The motion
excitation block is :class:`~.motion_excitation.MotionExcitation`.
"""
import torch.nn as nn
from mmengine.model import BaseModule
from mmaction.registry import MODELS

from .motion_excitation import MotionExcitation


@MODELS.register_module()
class MLFOLevelNeck(BaseModule):
    """One feature level's projection: [ME] -> pool to ``(T, 1, 1)`` ->
    per-step MLP.

    ``(N, C, T, H, W)`` -> ``(N, D, T)``: the optional
    :class:`MotionExcitation`, a spatial average, then a 2-layer MLP applied
    at each temporal position (1x1 ``Conv1d`` C -> C, ReLU, 1x1 ``Conv1d``
    C -> D; the authors' code). The clip embedding is the temporal mean of
    the output (:meth:`embed`); the per-step output feeds timestamp
    retrieval (Eq. 13).

    Args:
        in_channels (int): C.
        out_channels (int): D. Defaults to 128.
        motion_excitation (bool): with the ME block. Defaults to False.
        reduction (int): ME's channel reduction. Defaults to 16.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, in_channels, out_channels=128, motion_excitation=False,
                 reduction=16, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.me = MotionExcitation(in_channels, reduction) \
            if motion_excitation else None
        self.mlp = nn.Sequential(
            nn.Conv1d(in_channels, in_channels, 1), nn.ReLU(inplace=True),
            nn.Conv1d(in_channels, out_channels, 1))

    def forward(self, x):
        if self.me is not None:
            x = self.me(x)
        return self.mlp(x.mean(dim=(3, 4)))

    @staticmethod
    def embed(steps):
        """Clip embedding ``(N, D)`` from per-step output ``(N, D, T)``."""
        return steps.mean(dim=2)

"""Pooling + MLP necks for video self-supervision (projection, predictor)."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmaction.registry import MODELS


@MODELS.register_module()
class VideoMLPNeck(BaseModule):
    """Optional global average pooling followed by an MLP.

    ``num_layers`` counts the ``Linear`` layers; every one but the last is
    followed by ``BatchNorm1d`` and ``ReLU``:

    * ``num_layers=1``: ``Linear(in, out)`` (auxSKD's projection, paper §3.1:
      "a fully-connected layer, as the projection");
    * ``num_layers=2``: ``Linear(in, hid)-BN-ReLU-Linear(hid, out)`` (the
      auxSKD authors' predictor; BYOL's; three layers of units 128-1024-128);
    * ``num_layers=3``: ``Linear-BN-ReLU-Linear(hid, hid)-BN-ReLU-Linear``.

    Args:
        in_channels (int): input channels (the backbone's, e.g. 512).
        out_channels (int): embedding size (e.g. 128).
        hid_channels (int, optional): hidden width; needed when
            ``num_layers > 1``.
        num_layers (int): number of ``Linear`` layers. Defaults to 1.
        with_avg_pool (bool): average the input over every axis after the
            channel axis first (backbone maps ``(N, C, T, H, W)``); a tuple
            input (multi-stage backbone output) uses its last element.
            Defaults to True.
        init_cfg (dict, optional): mmengine init config. Defaults to None
            (PyTorch's default ``Linear``/``BatchNorm1d`` initialisation).
    """

    def __init__(self, in_channels, out_channels, hid_channels=None,
                 num_layers=1, with_avg_pool=True, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        if num_layers > 1 and not hid_channels:
            raise ValueError('hid_channels is needed when num_layers > 1')
        self.with_avg_pool = with_avg_pool
        dims = [in_channels] + [hid_channels] * (num_layers - 1) + [
            out_channels]
        layers = []
        for i in range(num_layers):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < num_layers - 1:
                layers += [nn.BatchNorm1d(dims[i + 1]), nn.ReLU(inplace=True)]
        self.mlp = nn.Sequential(*layers)

    def forward(self, x):
        if isinstance(x, (tuple, list)):
            x = x[-1]
        if self.with_avg_pool and x.dim() > 2:
            x = x.flatten(2).mean(dim=2)
        return self.mlp(torch.flatten(x, 1))

"""R(2+1)D's temporal convolution on CPU through a 2D convolution.

``Conv2plus1d`` (MMAction2) factorises a 3D convolution into a spatial
``conv_s`` (kernel ``1 x k x k``) and a temporal ``conv_t`` (kernel
``k_t x 1 x 1``), both ``nn.Conv3d``. On CPU, torch picks its convolution
algorithm by a heuristic that sends a float32 3D convolution whose last two
kernel sizes are 1, unstrided and undilated, with a batch under 16, to the
slow non-oneDNN kernel (``aten::slow_conv3d_forward``) when torch runs one
thread: "for 1x1 filters THNN is faster single-threaded". For a temporal
``3 x 1 x 1`` kernel it is not: 2.6x slower per sample forward + backward
at batch 12 than the oneDNN kernel the same layer gets at batch 16
(``tools/benchmarks/temporal_conv.py``). One thread per process is how
several jobs share a small machine (``tools/run_demo.py``), and the demo's
first temporal conv alone was a quarter of its backbone training step.

A ``k_t x 1 x 1`` convolution of ``(N, C, T, H, W)`` is the ``k_t x 1`` 2D
convolution of the view ``(N, C, T, H*W)``, which torch sends to oneDNN.
:class:`TemporalConv3d` computes it that way on CPU float32 input (same
parameters, same state-dict keys, same function up to float rounding) and
is the stock ``nn.Conv3d`` everywhere else (CUDA, other dtypes, any other
kernel). A config asks for it with the backbone
:class:`~mmauxskd.models.backbones.FastTemporalResNet2Plus1d` (the demo
configs do); importing mmauxskd changes no upstream class.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ['TemporalConv3d']


class TemporalConv3d(nn.Conv3d):
    """``nn.Conv3d`` with a ``k_t x 1 x 1`` kernel, run as a 2D convolution
    on CPU float32 input.

    Input ``(N, C_in, T, H, W)``; output ``(N, C_out, T', H, W)`` with
    ``T' = (T + 2 p_t - d_t (k_t - 1) - 1) // s_t + 1`` as ``nn.Conv3d``.
    """

    def _as_2d(self, x):
        return (x.device.type == 'cpu' and x.dtype == torch.float32
                and not x.is_mkldnn and x.dim() == 5
                and self.padding_mode == 'zeros'
                and not isinstance(self.padding, str)
                and tuple(self.kernel_size[1:]) == (1, 1)
                and tuple(self.stride[1:]) == (1, 1)
                and tuple(self.dilation[1:]) == (1, 1)
                and tuple(self.padding[1:]) == (0, 0))

    def _conv_forward(self, x, weight, bias):
        if not self._as_2d(x):
            return super()._conv_forward(x, weight, bias)
        n, c, t, h, w = x.shape
        out = F.conv2d(
            x.reshape(n, c, t, h * w), weight.squeeze(-1), bias,
            stride=(self.stride[0], 1), padding=(self.padding[0], 0),
            dilation=(self.dilation[0], 1), groups=self.groups)
        return out.view(n, out.size(1), out.size(2), h, w)


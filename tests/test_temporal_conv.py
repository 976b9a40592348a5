"""R(2+1)D's temporal conv as a 2D conv on CPU: same function, same
parameters, and off torch's slow single-thread 3D kernel."""
import pytest
import torch
import torch.nn as nn

import mmauxskd  # noqa: F401  registers FastTemporalResNet2Plus1d
from mmauxskd.models.utils import TemporalConv3d, temporal_conv


def _pair(**kwargs):
    torch.manual_seed(0)
    stock = nn.Conv3d(6, 5, **kwargs)
    fast = nn.Conv3d(6, 5, **kwargs)
    fast.load_state_dict(stock.state_dict())
    fast.__class__ = TemporalConv3d
    return stock, fast


@pytest.mark.parametrize('kwargs', [
    dict(kernel_size=(3, 1, 1), padding=(1, 0, 0), bias=False),
    dict(kernel_size=(3, 1, 1), stride=(2, 1, 1), padding=(1, 0, 0)),
    dict(kernel_size=(1, 1, 1), stride=(2, 1, 1), bias=False),
    dict(kernel_size=(3, 1, 1), dilation=(2, 1, 1), padding=(2, 0, 0)),
])
def test_same_output_and_gradients_as_conv3d(kwargs):
    stock, fast = _pair(**kwargs)
    x = torch.randn(3, 6, 8, 5, 7)
    xs, xf = x.clone().requires_grad_(), x.clone().requires_grad_()
    ys, yf = stock(xs), fast(xf)
    assert yf.shape == ys.shape
    torch.testing.assert_close(yf, ys, rtol=1e-5, atol=1e-5)
    g = torch.randn_like(ys)
    ys.backward(g)
    yf.backward(g)
    torch.testing.assert_close(xf.grad, xs.grad, rtol=1e-5, atol=1e-5)
    for (name, ps), pf in zip(stock.named_parameters(), fast.parameters()):
        torch.testing.assert_close(pf.grad, ps.grad, rtol=1e-4, atol=1e-5,
                                   msg=name)


def test_2d_route_only_for_cpu_float32_temporal_kernels(monkeypatch):
    calls = []
    conv2d = temporal_conv.F.conv2d

    def counting(*args, **kwargs):
        calls.append(1)
        return conv2d(*args, **kwargs)

    monkeypatch.setattr(temporal_conv.F, 'conv2d', counting)
    _, fast = _pair(kernel_size=(3, 1, 1), padding=(1, 0, 0))
    fast(torch.randn(2, 6, 4, 3, 3))
    assert len(calls) == 1
    fast.double()(torch.randn(2, 6, 4, 3, 3, dtype=torch.float64))
    assert len(calls) == 1  # float64: the stock path
    _, spatial = _pair(kernel_size=(1, 3, 3), padding=(0, 1, 1))
    spatial(torch.randn(2, 6, 4, 3, 3))
    assert len(calls) == 1  # not a temporal kernel: the stock path


def test_import_leaves_mmaction_conv2plus1d_as_upstream_builds_it():
    from mmaction.models.backbones import ResNet2Plus1d
    from mmaction.models.common import Conv2plus1d
    assert Conv2plus1d.__init__.__module__ == Conv2plus1d.__module__
    assert Conv2plus1d.__init__.__qualname__ == 'Conv2plus1d.__init__'
    assert type(Conv2plus1d(4, 8, 3, padding=1).conv_t) is nn.Conv3d
    stock = ResNet2Plus1d(depth=18, stage_blocks=(1, 1, 1, 1),
                          pretrained=None, pretrained2d=False, base_channels=8,
                          conv_cfg=dict(type='Conv2plus1d'),
                          norm_cfg=dict(type='BN3d'))
    assert not any(isinstance(m, TemporalConv3d) for m in stock.modules())


def test_opt_in_backbone_uses_it_and_keeps_the_stock_checkpoint_keys():
    from mmaction.models.common import Conv2plus1d
    from mmaction.registry import MODELS
    kwargs = dict(depth=18, stage_blocks=(1, 1, 1, 1), pretrained=None,
                  pretrained2d=False,
                  base_channels=8, conv_cfg=dict(type='Conv2plus1d'),
                  norm_cfg=dict(type='BN3d'))
    torch.manual_seed(0)
    stock = MODELS.build(dict(type='ResNet2Plus1d', **kwargs))
    torch.manual_seed(0)
    fast = MODELS.build(dict(type='FastTemporalResNet2Plus1d', **kwargs))
    blocks = [m for m in fast.modules() if isinstance(m, Conv2plus1d)]
    assert blocks and all(type(b.conv_t) is TemporalConv3d for b in blocks)
    assert all(type(b.conv_s) is nn.Conv3d for b in blocks)
    # same initialisation, parameters and keys: checkpoints move freely
    assert fast.state_dict().keys() == stock.state_dict().keys()
    for key, value in stock.state_dict().items():
        assert torch.equal(value, fast.state_dict()[key]), key
    fast.eval()
    stock.eval()
    x = torch.randn(2, 3, 8, 16, 16)
    torch.testing.assert_close(fast(x), stock(x), rtol=1e-4, atol=1e-5)


def test_demo_configs_opt_in():
    from mmengine.config import Config
    cfg = Config.fromfile('configs/_base_/datasets/demo_unlabelled.py')
    assert cfg.demo_backbone['type'] == 'FastTemporalResNet2Plus1d'

def _ops(module, x):
    with torch.autograd.profiler.profile() as prof:
        module(x).sum().backward()
    return {event.name for event in prof.function_events}


def test_single_thread_small_batch_avoids_the_slow_3d_kernel():
    """torch sends a 3x1x1 conv at batch < 16 on one thread to its slow
    non-oneDNN kernel (2.6x slower per sample here, benchmark script);
    the 2D route does not."""
    stock, fast = _pair(kernel_size=(3, 1, 1), padding=(1, 0, 0))
    x = torch.randn(12, 6, 8, 8, 8)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        stock_ops, fast_ops = _ops(stock, x), _ops(fast, x)
    finally:
        torch.set_num_threads(threads)
    if 'aten::slow_conv3d_forward' not in stock_ops:
        pytest.skip('this torch build does not pick the slow 3D kernel')
    assert 'aten::slow_conv3d_forward' not in fast_ops
    assert 'aten::mkldnn_convolution' in fast_ops

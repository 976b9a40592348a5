"""Narrow fixes for the OpenMMLab stack under recent torch, numpy, setuptools.

Each function below repairs one breakage measured on the pinned stack
(torch 2.13, numpy 2.4, setuptools >= 81, mmengine 0.10.7, mmcv-lite 2.1,
mmaction2 1.2.0) or on a user's GPU machine (transformers 5, bf16 AMP);
``docs/compatibility.md`` lists them with the upstream issue, and
``tests/test_compat.py`` has a test per fix that fails without it.
All are idempotent and are applied by ``import mmauxskd`` (which every config
pulls in through ``custom_imports``) before any mmaction model is imported.

The checkpoint fix (torch >= 2.6 weights-only loading) lives in
:mod:`mmauxskd.utils.checkpoint` because it is a security boundary.
"""
import importlib.util
import os.path as osp
import sys
import types
import warnings

_APPLIED = set()


def _once(name):
    if name in _APPLIED:
        return False
    _APPLIED.add(name)
    return True


# 1. mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn/``
#    (open-mmlab/mmaction2#2714), so ``import mmaction.models`` fails.
def patch_missing_drn():
    """Install a placeholder ``mmaction.models.localizers.drn`` if absent.

    Only when the files are really missing from the installed wheel. The
    placeholder ``DRN`` raises on use, so nothing silently runs without it;
    it is not registered, so ``type='DRN'`` in a config still fails loudly.
    """
    if not _once('drn'):
        return
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return
    root = spec.submodule_search_locations[0]
    if osp.exists(osp.join(root, 'models', 'localizers', 'drn', 'drn.py')):
        return

    class DRN:  # noqa: D401 - placeholder
        """Placeholder: the mmaction2 1.2.0 wheel ships without DRN."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction.models.localizers.drn is missing from the installed '
                'mmaction2 wheel (open-mmlab/mmaction2#2714); install '
                'mmaction2 from source to use DRN.')

    pkg = types.ModuleType('mmaction.models.localizers.drn')
    pkg.__path__ = []
    mod = types.ModuleType('mmaction.models.localizers.drn.drn')
    mod.DRN = DRN
    pkg.drn = mod
    pkg.DRN = DRN
    sys.modules.setdefault(pkg.__name__, pkg)
    sys.modules.setdefault(mod.__name__, mod)


# 4. setuptools >= 81 removed ``pkg_resources``; mmengine 0.10.7 uses it to
#    resolve ``_base_ = 'mmaction::...'`` (package-relative config paths).
def _installed_path(package):
    """``mmengine.utils.get_installed_path`` without ``pkg_resources``."""
    from importlib import metadata
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        top = (dist.read_text('top_level.txt') or '').split()
        for module in [package.replace('-', '_')] + top:
            spec = importlib.util.find_spec(module)
            if spec is not None and spec.origin is not None:
                return osp.dirname(spec.origin)
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f'package {package!r} is not installed')
    if spec.origin is None:
        raise RuntimeError(f'{package} is a namespace package, which is '
                           'invalid for `get_installed_path`')
    return osp.dirname(spec.origin)


def _is_installed(package):
    """``mmengine.utils.is_installed`` without ``pkg_resources``."""
    from importlib import metadata
    try:
        metadata.distribution(package)
        return True
    except metadata.PackageNotFoundError:
        spec = importlib.util.find_spec(package)
        return spec is not None and spec.origin is not None


def patch_pkg_resources():
    """Replace mmengine's two ``pkg_resources`` users where it is gone."""
    if not _once('pkg_resources'):
        return
    if importlib.util.find_spec('pkg_resources') is not None:
        return
    import mmengine.config.config as config_mod
    import mmengine.utils as utils_mod
    import mmengine.utils.package_utils as pkg_mod
    for mod in (pkg_mod, utils_mod, config_mod):
        mod.get_installed_path = _installed_path
        mod.is_installed = _is_installed


# 5. numpy 2 and mmaction2's ColorJitter: ``hsv + int`` with a negative
#    offset overflows a uint8 array (NEP 50) about half of the time.
def _adjust_hue(img, factor):
    """Hue shift by ``factor`` (in [-0.5, 0.5]) of an RGB image, any sign."""
    import cv2
    import numpy as np
    img = np.clip(img, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    offset = int(factor * 255)
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + offset) % 180
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32)


def patch_color_jitter():
    """Make ``mmaction`` ColorJitter's hue shift numpy-2 safe."""
    if not _once('color_jitter'):
        return
    from mmaction.datasets.transforms.processing import ColorJitter
    ColorJitter.adjust_hue = staticmethod(_adjust_hue)


# 6. mmengine 0.10.7 under a distributed launcher on a machine without CUDA:
#    ``_init_dist_pytorch`` calls ``torch.cuda.set_device`` and defaults to
#    nccl; ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to DDP.
def patch_cpu_distributed():
    """Let ``--launcher pytorch`` run on CPU with gloo.

    Only where mmengine's ``get_device()`` is ``'cpu'``; machines with CUDA
    (or NPU, MLU, MUSA) keep mmengine's code path unchanged.
    """
    if not _once('cpu_dist'):
        return
    import torch
    import mmengine.dist.utils as dist_utils
    from mmengine.device import get_device
    from mmengine.runner import Runner

    orig_init = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
        # only plain CPU machines: CUDA, NPU, MLU, MUSA keep mmengine's path
        if get_device() != 'cpu' or init_backend != 'torch':
            return orig_init(backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            warnings.warn('no CUDA device: using the gloo backend instead '
                          'of nccl for torch.distributed')
            backend = 'gloo'
        torch.distributed.init_process_group(backend=backend, **kwargs)

    dist_utils._init_dist_pytorch = _init_dist_pytorch

    orig_wrap = Runner.wrap_model

    def wrap_model(self, model_wrapper_cfg, model):
        if self.distributed and get_device() == 'cpu':
            # DDP around a CPU module needs device_ids=None; mmengine's
            # build keeps a value given in the cfg over its LOCAL_RANK one.
            model_wrapper_cfg = dict(model_wrapper_cfg or {})
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
            model_wrapper_cfg.setdefault(
                'find_unused_parameters',
                self.cfg.get('find_unused_parameters', False))
            model_wrapper_cfg.setdefault('device_ids', None)
        return orig_wrap(self, model_wrapper_cfg, model)

    Runner.wrap_model = wrap_model


# 7. transformers 5 removed ``apply_chunking_to_forward`` (and
#    ``prune_linear_layer``, ``find_pruneable_heads_and_indices``) from
#    ``transformers.modeling_utils``; mmaction2 1.2.0 imports its VindLU
#    models whenever a ``transformers>=4.28.0`` distribution exists, so
#    ``import mmaction.models`` fails.
def _incompatible_transformers():
    """The installed transformers version if it is >= 5, else None."""
    from importlib import metadata
    try:
        version = metadata.version('transformers')
    except metadata.PackageNotFoundError:
        return None
    from mmengine.utils import digit_version
    return version if digit_version(version) >= digit_version('5.0.0') \
        else None


def patch_transformers5():
    """Treat transformers >= 5 as absent for mmaction's multimodal models.

    Only the flag ``mmaction.utils.dependency.WITH_MULTIMODAL`` is turned
    off (nothing is uninstalled, ``transformers`` itself is not imported),
    so VindLU's names are registered as placeholders that raise on use,
    with a message naming the installed version. Must run before
    ``mmaction.models`` is imported; transformers 4.x is left alone.
    """
    if not _once('transformers5'):
        return
    version = _incompatible_transformers()
    if version is None:
        return
    import mmaction.utils.dependency as dependency
    if not dependency.WITH_MULTIMODAL:
        return
    if 'mmaction.models' in sys.modules:
        warnings.warn(f'transformers {version} is installed and '
                      'mmaction.models was imported before mmauxskd: '
                      'import mmauxskd first (docs/compatibility.md, 7)')
        return

    def register_placeholders(names, registry):
        for name in names:

            def unusable(*args, _name=name, **kwargs):
                raise ImportError(
                    f'{_name}: mmaction2 1.2.0\'s multimodal models need '
                    f'transformers < 5 (installed: {version}); mmauxskd '
                    'left them out so that the rest of mmaction imports '
                    '(docs/compatibility.md, breakage 7)')

            registry.register_module(name=name, module=unusable)

    dependency.WITH_MULTIMODAL = False
    dependency.register_multimodal_placeholder = register_placeholders


# 8. bf16 autocast: ``BaseHead.loss_by_feat`` computes top-k accuracy through
#    ``cls_scores.detach().cpu().numpy()``; numpy has no bfloat16.
def patch_bf16_head_loss():
    """Upcast bfloat16 class scores to float32 before the stock head loss.

    Under autocast the loss (cross entropy, BCE) runs in float32 anyway, so
    the loss and its gradient are unchanged; other dtypes pass untouched.
    """
    if not _once('bf16_head'):
        return
    import functools

    import torch
    from mmaction.models.heads.base import BaseHead
    orig = BaseHead.loss_by_feat

    @functools.wraps(orig)
    def loss_by_feat(self, cls_scores, data_samples, *args, **kwargs):
        if isinstance(cls_scores, torch.Tensor) and \
                cls_scores.dtype == torch.bfloat16:
            cls_scores = cls_scores.float()
        return orig(self, cls_scores, data_samples, *args, **kwargs)

    BaseHead.loss_by_feat = loss_by_feat


# mmcv-lite has no compiled ops, so mmcv.cnn.bricks.transformer warns on
# every import that ``MultiScaleDeformableAttention`` cannot be imported
# and that one should install mmcv: expected with mmcv-lite, which is enough
# for video recognition. Only that message from that module is silenced,
# and only when the installed mmcv is mmcv-lite.
def silence_mmcv_lite_ops_warning():
    if not _once('mmcv_lite_warning'):
        return
    from importlib import metadata
    try:
        metadata.distribution('mmcv-lite')
    except metadata.PackageNotFoundError:
        return
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``',
        category=UserWarning, module=r'mmcv\.cnn\.bricks\.transformer\Z')


def apply_all():
    """Apply every fix (idempotent). Called by ``import mmauxskd``."""
    silence_mmcv_lite_ops_warning()
    patch_missing_drn()
    patch_transformers5()
    patch_pkg_resources()
    patch_cpu_distributed()
    patch_color_jitter()
    patch_bf16_head_loss()
    from .checkpoint import install_safe_checkpoint_loader
    install_safe_checkpoint_loader()
    # 2. mmaction2 1.2.0 imports ``importlib_metadata`` without declaring it:
    #    declared in our setup.py; this only explains a broken install.
    if importlib.util.find_spec('importlib_metadata') is None:
        raise ImportError('mmaction2 1.2.0 needs `importlib_metadata`, which '
                          'it does not declare: pip install importlib_metadata'
                          ' (or reinstall mmauxskd, which requires it)')

"""Command-line plumbing shared by tools/train.py and tools/test.py."""
import contextlib
import io
import os
import os.path as osp
import sys
import tokenize
from importlib.util import find_spec

from mmengine.config import Config, DictAction

__all__ = [
    'add_common_args', 'apply_common_args', 'load_config', 'VIS_BACKENDS',
    'add_vis_backends', 'process_group_closed', 'ConfigBuildError',
    'config_key_of_error', 'config_errors_named'
]


def load_config(path):
    """``Config.fromfile(path)``; a missing file ends the tool with
    ``config not found: PATH`` (exit status 1) rather than a traceback."""
    if not osp.isfile(path):
        sys.exit(f'config not found: {path}')
    return Config.fromfile(path)


# --vis-backend NAME -> (mmengine's backend, modules any one of which it can
# log with, what to install)
VIS_BACKENDS = dict(
    tensorboard=('TensorboardVisBackend', ('tensorboard', 'tensorboardX'),
                 'tensorboard'),
    wandb=('WandbVisBackend', ('wandb', ), 'wandb'))


def add_common_args(parser):
    """The arguments every MMAction2 tool takes."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value (e.g. '
        'train_dataloader.batch_size=8)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--decoder', choices=['decord', 'pyav', 'torchcodec'],
        help="decode the videos with this backend instead of the config's "
        '(docs/benchmarks.md#decoders); decord is optional: pip install -e '
        '.[decord]')
    parser.add_argument(
        '--decoder-device', default='cpu', choices=['cpu', 'cuda'],
        help="with --decoder pyav or torchcodec: 'cuda' decodes with NVDEC "
        'where the GPU and libraries allow (else a warning and the CPU); '
        "set train_dataloader.multiprocessing_context='spawn' with workers")
    parser.add_argument(
        '--vis-backend', nargs='+', choices=sorted(VIS_BACKENDS),
        metavar='{' + ','.join(sorted(VIS_BACKENDS)) + '}',
        help="also log the scalars to TensorBoard and/or Weights & Biases "
        "(mmengine's TensorboardVisBackend / WandbVisBackend, beside the "
        "config's LocalVisBackend); needs that package installed")


def apply_common_args(cfg, args):
    """Launcher, work dir (default ``./work_dirs/<config name>``), LOCAL_RANK,
    the video decoder (``--decoder``), extra vis backends
    (``--vis-backend``, :func:`add_vis_backends`).

    ``--cfg-options`` is merged by the caller last, so it wins.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg.launcher = args.launcher
    if getattr(args, 'decoder', None):
        from ..cfg import set_config_decoder
        extra = {} if args.decoder_device == 'cpu' else dict(
            device=args.decoder_device)
        set_config_decoder(cfg, args.decoder, **extra)
    if getattr(args, 'vis_backend', None):
        add_vis_backends(cfg, args.vis_backend)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def add_vis_backends(cfg, names):
    """Add mmengine's vis backend of each ``--vis-backend`` name to
    ``cfg.visualizer.vis_backends``, after those the config has (its
    ``LocalVisBackend`` stays); one already there is not added twice.

    Ends the tool with one line naming the package when a backend's package
    is not installed (mmengine would only fail at the first logged scalar,
    after the model and data were built).
    """
    missing = [name for name in names if not any(
        find_spec(module) for module in VIS_BACKENDS[name][1])]
    if missing:
        sys.exit('; '.join(
            f'--vis-backend {name} needs the {VIS_BACKENDS[name][2]} '
            f'package, which is not installed: pip install '
            f'{VIS_BACKENDS[name][2]}' for name in missing))
    visualizer = cfg.get('visualizer') or dict(
        type='ActionVisualizer', vis_backends=[dict(type='LocalVisBackend')])
    backends = list(visualizer.get('vis_backends') or [])
    for name in names:
        kind = VIS_BACKENDS[name][0]
        if not any(b.get('type') == kind for b in backends):
            backends.append(dict(type=kind))
    visualizer['vis_backends'] = backends
    cfg.visualizer = visualizer
    return cfg


@contextlib.contextmanager
def process_group_closed():
    """End a distributed run cleanly: when the block ends normally, wait
    for every rank (``barrier``), then destroy torch.distributed's process
    groups (also after an exception, without the barrier, which could wait
    for a rank that died).

    mmengine's Runner does neither. A gloo rank that tears down while
    another still works (rank 0 saving the last checkpoint) can abort
    (SIGABRT, ``terminate called without an active exception``;
    pytorch/pytorch#190489), which fails a finished run: 2 CPU processes,
    torch 2.13, twice in CI, 1 of 5 local runs of the Vi2CLR 2-rank test;
    with the barrier 0 of 16.
    """
    import torch.distributed as dist
    from mmengine.dist import barrier, is_distributed
    try:
        yield
        barrier()  # a no-op without a process group
    finally:
        if is_distributed():
            dist.destroy_process_group()


class ConfigBuildError(RuntimeError):
    """Building a part of the config failed; the message starts with its
    key (``model.backbone: ...``), the original error is its cause."""


def _config_dicts(node, key):
    """``(key path, dict)`` of every dict with a ``type`` inside ``node``."""
    if isinstance(node, dict):
        if 'type' in node:
            yield key, node
        for k, v in node.items():
            yield from _config_dicts(v, f'{key}.{k}' if key else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _config_dicts(v, f'{key}[{i}]')


def _same(a, b):
    try:
        return bool(a == b)
    except Exception:  # arrays, tensors
        return False


def _names_in_line(frame, lineno):
    """The identifiers of the source line ``lineno`` of ``frame``."""
    import linecache
    line = linecache.getline(frame.f_code.co_filename, lineno)
    try:
        return {t.string for t in tokenize.generate_tokens(
            io.StringIO(line.strip() + '\n').readline)
                if t.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set()


def config_key_of_error(err, cfg):
    """The config key at fault in an error raised while building ``cfg``
    (see :func:`_blame`); None when no build of ``cfg`` failed."""
    blamed = _blame(err, cfg)
    return blamed and blamed[0]


def _blame(err, cfg):
    """``(key path, its value)`` at fault in an error raised while
    building ``cfg``.

    The innermost registry build (mmengine's ``build_from_cfg``) in the
    traceback of ``err`` says which config dict was being built; the first
    dict of ``cfg`` with its ``type`` whose items it holds gives the key
    path (``model.backbone``). When the line that raised names one of that
    dict's keys, with the config's value in that frame, the key is added
    (``optim_wrapper.optimizer.lr``).

    Returns:
        tuple or None: the key path and its config value (a dict for a
        part), None when no build of ``cfg`` failed.
    """
    frames = []
    tb = err.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    built = [f.f_locals.get('cfg') for f, _ in frames
             if f.f_code.co_name == 'build_from_cfg'
             and 'mmengine' in f.f_code.co_filename]
    built = [b for b in built if isinstance(b, dict)]
    if not built:
        return None
    target = built[-1]
    matches = [(key, d) for key, d in _config_dicts(dict(cfg), '')
               if all(k in target and _same(target[k], v)
                      for k, v in d.items())]
    if not matches:
        return None
    key, spec = max(matches, key=lambda m: len(m[1]))  # the most specific
    frame, lineno = frames[-1]
    named = _names_in_line(frame, lineno)
    scalars = [k for k, v in spec.items() if k != 'type' and k in named
               and not isinstance(v, dict) and (
                   k in frame.f_locals and _same(frame.f_locals[k], v) or
                   _same(getattr(frame.f_locals.get('self'), k, object()), v))]
    if len(scalars) == 1:
        return f'{key}.{scalars[0]}', spec[scalars[0]]
    return key, spec


@contextlib.contextmanager
def config_errors_named(cfg):
    """Re-raise an error of building ``cfg`` (a model, an optimizer) as a
    :class:`ConfigBuildError` naming the config key, e.g.
    ``model.backbone: AssertionError ...``; the original is its cause, its
    traceback kept. Errors no config dict can be blamed for pass as they
    are."""
    try:
        yield
    except Exception as err:
        blamed = _blame(err, cfg)
        if blamed is None:
            raise
        key, value = blamed
        what = (f'building {key} ({value["type"]})' if isinstance(value, dict)
                else f'{key}={value!r}')
        raise ConfigBuildError(
            f'{what}: {type(err).__name__}: {str(err) or "(no message)"}'
        ) from err

"""Train a model from a config (MMAction2's tools/train.py conventions).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|CKPT]]
        [--amp] [--amp-dtype float16|bfloat16] [--no-validate] [--auto-scale-lr] [--seed N]
        [--diff-rank-seed] [--deterministic] [--pretrained CKPT]
        [--pretrained-prefix P] [--allow-partial]
        [--vis-backend tensorboard|wandb ...]
        [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

Before the first step: a config part that fails to build (model,
optimizer) is named by its key (``model.backbone.stage_blocks=...``), a
training set too small for one batch is explained, and ``--pretrained``
must hold every backbone tensor of the model with its shape. After the
last step: a pretext stage whose last validation found every held-out task
at chance says so in one loud line (``ChanceCheckHook``).
"""
import argparse
import os
import os.path as osp
import sys

import mmauxskd  # noqa: F401  applies the stack fixes, registers modules
from mmengine.runner import Runner

from mmauxskd.utils.checkpoint import extract_submodule
from mmauxskd.utils.cli import (add_common_args, apply_common_args,
                                config_errors_named, load_config,
                                process_group_closed)
from mmauxskd.utils.resume import (CHECKPOINT_TEMPLATES, ResumeError,
                                   resolve_resume)
from mmauxskd.cfg import check_clip_geometry, check_loader_batches


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or with no value from the checkpoint '
        'last_checkpoint names in the work dir, else (missing, truncated, '
        'unloadable) from the newest intact checkpoint there')
    parser.add_argument(
        '--amp', action='store_true', help='enable automatic mixed precision')
    parser.add_argument(
        '--amp-dtype', choices=['float16', 'bfloat16'],
        help="the autocast dtype of --amp (mmengine's AmpOptimWrapper "
        'dtype; implies --amp). Default: float16 on CUDA')
    parser.add_argument(
        '--no-validate', action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the lr linearly with the total batch size '
        '(auto_scale_lr.base_batch_size in the config)')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed', action='store_true',
        help='a different seed on each rank')
    parser.add_argument(
        '--deterministic', action='store_true',
        help='deterministic cuDNN/algorithms')
    parser.add_argument(
        '--pretrained', help='initialise the backbone from a (pretext) '
        'checkpoint: its --pretrained-prefix tensors are loaded, everything '
        'else (the classifier) keeps its random initialisation')
    parser.add_argument(
        '--pretrained-prefix', default='backbone.',
        help='which tensors of --pretrained to load, as backbone.* '
        "(default: backbone.; auxSKD's student backbone also lives under "
        "backbone.; Vi2CLR's 2D encoder under image_backbone.)")
    parser.add_argument(
        '--allow-partial', action='store_true',
        help='with --pretrained: start even if the checkpoint lacks some '
        'backbone tensors or holds them in another shape (those stay '
        'random; a warning names them). Without it that is an error')
    add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Fold the command line into the config."""
    apply_common_args(cfg, args)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp or args.amp_dtype:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        if args.amp_dtype:
            cfg.optim_wrapper.dtype = args.amp_dtype
    if args.resume is not None:
        cfg.resume, cfg.load_from = True, resume_checkpoint(cfg, args.resume)
    if args.pretrained and not (cfg.resume and cfg.load_from):
        # not when resuming: the run's own checkpoint already holds it
        cfg.resume = False
        rank = os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0'))
        cfg.load_from = osp.join(cfg.work_dir, f'pretrained_{rank}.pth')
        os.makedirs(cfg.work_dir, exist_ok=True)
        extract_submodule(args.pretrained, cfg.load_from,
                          args.pretrained_prefix, as_prefix='backbone.')
        # every backbone tensor must be there (the classifier stays random)
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [dict(
            type='CheckpointFitHook', prefix='backbone.',
            source=f'{args.pretrained} ({args.pretrained_prefix}*)',
            allow_partial=args.allow_partial,
            hint='Is the config\'s backbone (type, depth, width) the one '
            'the checkpoint was trained with, and --pretrained-prefix its '
            'backbone\'s prefix? --allow-partial starts anyway.')]
    if cfg.get('val_evaluator') and not any(
            h.get('type') == 'ChanceCheckHook'
            for h in cfg.get('custom_hooks') or []):
        # at the end: one loud line if the last validation found every
        # held-out pretext task at chance (nothing for other metrics)
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='ChanceCheckHook')]
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    randomness = cfg.get('randomness', dict())
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def resume_checkpoint(cfg, requested):
    """The checkpoint ``--resume [auto|PATH]`` continues from (None: the
    run has none yet), checked to load (mmauxskd.utils.resume); one line on
    rank 0 when it is not the one asked for; the tool ends naming the files
    when none is intact."""
    hook = cfg.get('default_hooks', {}).get('checkpoint') or {}
    folder = cfg.work_dir
    if hook.get('out_dir'):
        folder = osp.join(hook['out_dir'],
                          osp.basename(cfg.work_dir.rstrip(osp.sep)))
    templates = CHECKPOINT_TEMPLATES
    if hook.get('filename_tmpl'):
        templates = (hook['filename_tmpl'], ) + templates
    try:
        path, note = resolve_resume(cfg.work_dir, requested, folder,
                                    templates)
    except ResumeError as err:
        sys.exit(str(err))
    rank = os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0'))
    if note and rank == '0':
        print(note, flush=True)
    return path


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(load_config(args.config), args)
    check_clip_geometry(cfg)
    with process_group_closed():
        with config_errors_named(cfg):
            runner = Runner.from_cfg(cfg)
        check_loader_batches(runner.train_loop.dataloader, 'train_dataloader')
        with config_errors_named(cfg):  # built here to name a bad key
            runner.optim_wrapper = runner.build_optim_wrapper(
                runner.optim_wrapper)
        runner.train()


if __name__ == '__main__':
    main()

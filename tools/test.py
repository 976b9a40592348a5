"""Test a checkpoint (MMAction2's tools/test.py conventions).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump FILE.pkl]
        [--allow-partial] [--vis-backend tensorboard|wandb ...]
        [--cfg-options k=v ...]
        [--launcher none|pytorch|slurm|mpi]

The config's test pipeline decides the protocol; ours is the paper's 10-clip
test (10 uniform clips, centre crop, softmax averaged over the clips).
Checkpoints are loaded weights-only (see mmauxskd.utils.checkpoint), and
must fit the model: a tensor of the model missing from the checkpoint, one
of another shape, or one the model lacks ends the test naming them
(another model's checkpoint would otherwise be scored with random
weights); ``--allow-partial`` loads what fits, with a warning.
"""
import argparse

import mmauxskd  # noqa: F401  applies the stack fixes, registers modules
from mmengine.runner import Runner

from mmauxskd.utils.cli import (add_common_args, apply_common_args,
                                config_errors_named, load_config,
                                process_group_closed)
from mmauxskd.cfg import check_clip_geometry


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--dump', type=str,
        help='dump the predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--allow-partial', action='store_true',
        help='test even if the checkpoint does not cover the model (what '
        'it lacks stays random; a warning names it)')
    add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    apply_common_args(cfg, args)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [dict(
        type='CheckpointFitHook', source=args.checkpoint,
        allow_partial=args.allow_partial,
        hint='Is it the checkpoint of this config? A pretext checkpoint is '
        'finetuned first (tools/train.py --pretrained); --allow-partial '
        'tests anyway.')]
    if args.dump is not None:
        assert args.dump.endswith(('.pkl', '.pickle')), \
            'the file given to --dump must be a .pkl file'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = list(cfg.test_evaluator) + [dump_metric]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(load_config(args.config), args)
    check_clip_geometry(cfg)
    with process_group_closed():
        with config_errors_named(cfg):  # a failed model build names its key
            runner = Runner.from_cfg(cfg)
        return runner.test()


if __name__ == '__main__':
    main()

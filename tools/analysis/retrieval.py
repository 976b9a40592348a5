"""Frozen-backbone readouts: video retrieval R@k (VCOP / RSPNet protocol)
and weighted kNN top-1 (Wu et al. 2018; SlowFast, PyTorchVideo).

    python tools/analysis/retrieval.py CONFIG CHECKPOINT [--prefix backbone.]
        [--allow-partial] [--topk 1 5 10 20] [--k 20]
        [--dump-features FILE.npz]
        [--out FILE.json] [--cfg-options k=v ...]

The config (``configs/retrieval/*`` for R@k, ``configs/knn/*`` for kNN)
gives the model (a stock Recognizer3D; only its backbone is used, frozen,
in eval mode), ``gallery_dataloader`` (the labelled training videos) and
``test_dataloader`` (the test videos, the queries), both with the 10-clip
test pipeline, and ``test_evaluator``: ``VideoRetrievalMetric``,
``KNNAccMetric`` or a list of both (one feature pass serves all). Features
are the backbone's output, globally average-pooled and averaged over the
clips. R@k is the share of queries with a training video of their class
among the k most cosine-similar; kNN gives a query the class with the
largest ``exp(cos / 0.07)``-weighted vote of its k nearest training videos.

CHECKPOINT is a pretext (VSPP / auxSKD) or finetuned checkpoint: its
``backbone.*`` tensors (``--prefix``) are loaded, all of them and nothing
else; ``none`` keeps the random initialisation (a baseline). A checkpoint
that lacks a backbone tensor, or holds one in another shape, is refused,
naming them (``--allow-partial`` reads out with those random).
"""
import argparse
import json
import os
import os.path as osp

import mmauxskd  # noqa: F401  applies the stack fixes, registers modules
import numpy as np
from mmengine.config import DictAction

from mmauxskd.evaluation import evaluate_frozen_backbone
from mmauxskd.utils.cli import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('config', help='retrieval config')
    parser.add_argument('checkpoint', help="checkpoint, or 'none'")
    parser.add_argument('--prefix', default='backbone.',
                        help='name prefix of the backbone tensors')
    parser.add_argument('--allow-partial', action='store_true',
                        help='read out even if the checkpoint does not '
                        'cover the backbone (the rest stays random)')
    parser.add_argument('--topk', type=int, nargs='+',
                        help='k of R@k (default: the config evaluator\'s)')
    parser.add_argument('--k', type=int,
                        help='neighbours of the kNN classifier (default: '
                        'the config evaluator\'s)')
    parser.add_argument('--dump-features', help='save features and labels '
                        '(npz: query, query_labels, gallery, gallery_labels)')
    parser.add_argument('--out', help='save the metrics as JSON')
    parser.add_argument('--no-progress', action='store_true')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    results, feats = evaluate_frozen_backbone(
        cfg, args.checkpoint, args.prefix, not args.no_progress,
        allow_partial=args.allow_partial,
        topk=tuple(args.topk) if args.topk else None, k=args.k)

    print(f'frozen backbone, {len(feats["query"][1])} test videos against '
          f'{len(feats["gallery"][1])} training videos:')
    for key, value in results.items():
        print(f'  {key:>14}: {value * 100:6.2f}%')
    if args.dump_features:
        os.makedirs(osp.dirname(osp.abspath(args.dump_features)),
                    exist_ok=True)
        np.savez(args.dump_features, query=feats['query'][0],
                 query_labels=feats['query'][1], gallery=feats['gallery'][0],
                 gallery_labels=feats['gallery'][1])
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                           **results), f, indent=2)
    return results


if __name__ == '__main__':
    main()

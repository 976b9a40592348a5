"""Video retrieval R@k of a pretrained backbone (VCOP / RSPNet protocol).

    python tools/analysis/retrieval.py CONFIG CHECKPOINT [--prefix backbone.]
        [--topk 1 5 10 20] [--dump-features FILE.npz] [--out FILE.json]
        [--cfg-options k=v ...]

The config (``configs/retrieval/*``) gives the model (a stock Recognizer3D;
only its backbone is used, frozen, in eval mode), ``gallery_dataloader``
(the training videos) and ``test_dataloader`` (the test videos, the
queries), both with the 10-clip test pipeline, and ``test_evaluator =
dict(type='VideoRetrievalMetric')``. Features are the backbone's output,
globally average-pooled and averaged over the clips; gallery videos are
ranked by cosine similarity, and R@k is the share of queries with a video
of their class among the k nearest.

CHECKPOINT is a pretext (VSPP / auxSKD) or finetuned checkpoint: its
``backbone.*`` tensors (``--prefix``) are loaded, all of them and nothing
else; ``none`` keeps the random initialisation (a baseline).
"""
import argparse
import json
import os
import os.path as osp

import mmauxskd  # noqa: F401  applies the stack fixes, registers modules
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmaction.registry import METRICS, MODELS

from mmauxskd.evaluation import extract_video_features, load_backbone_weights
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
    parser.add_argument('--topk', type=int, nargs='+',
                        help='k of R@k (default: the config evaluator\'s)')
    parser.add_argument('--dump-features', help='save features and labels '
                        '(npz: query, query_labels, gallery, gallery_labels)')
    parser.add_argument('--out', help='save the R@k as JSON')
    parser.add_argument('--no-progress', action='store_true')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args(argv)


def build_evaluator(cfg, topk=None):
    metric_cfg = dict(cfg.get('test_evaluator') or
                      dict(type='VideoRetrievalMetric'))
    if metric_cfg['type'] != 'VideoRetrievalMetric':
        raise ValueError('test_evaluator must be VideoRetrievalMetric, got '
                         f'{metric_cfg["type"]}; use a configs/retrieval/* '
                         'config')
    if topk:
        metric_cfg['topk'] = tuple(topk)
    return METRICS.build(metric_cfg)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'gallery_dataloader' not in cfg:
        raise KeyError(f'{args.config} has no gallery_dataloader (the '
                       'training videos); use a configs/retrieval/* config')
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    metric = build_evaluator(cfg, args.topk)

    model = MODELS.build(cfg.model)
    if args.checkpoint.lower() == 'none':
        model.init_weights()
        print_log('no checkpoint: random backbone (a baseline)',
                  logger='current', level=30)
    else:
        load_backbone_weights(model, args.checkpoint, args.prefix)
    if torch.cuda.is_available():
        model = model.cuda()

    feats = {}
    for subset, loader_cfg in (('gallery', cfg.gallery_dataloader),
                               ('query', cfg.test_dataloader)):
        print_log(f'extracting {subset} features', logger='current')
        loader = Runner.build_dataloader(loader_cfg)
        feats[subset] = extract_video_features(model, loader,
                                               not args.no_progress)
        metric.process(None, [
            dict(feat=f, gt_label=label, subset=subset)
            for f, label in zip(*feats[subset])
        ])
    results = metric.evaluate(len(metric.results))

    print(f'video retrieval, {len(feats["query"][1])} queries against '
          f'{len(feats["gallery"][1])} gallery videos:')
    for key, value in results.items():
        print(f'  {key.split("/")[-1]:>5}: {value * 100:6.2f}%')
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

"""FLOPs and parameters of configs' models (MMAction2's
tools/analysis_tools/get_flops.py, for pretext algorithms too).

    python tools/analysis/get_flops.py CONFIG|FOLDER [...] \\
        [--split train|val|test] [--shape N ... W] [--cfg-options k=v ...]

One line per config (a folder: every config under it, ``_base_`` folders
left out), e.g.::

    configs/vcop/vcop_r3d-18_2xb15-3x16x8-200e_k100-rgb.py: FLOPs 27.63 G, \
params 33.7 M, input 1x3x3x16x112x112 (train pipeline)

What is counted:

* FLOPs: mmengine's ``FlopAnalyzer``, as in its
  ``get_model_complexity_info`` (fvcore's counting: one multiply-add is
  one FLOP; additions, normalisation and pooling are not counted, as in
  MMAction2's model zoo), of the model's ``forward`` in mmengine's
  ``'tensor'`` mode, ``model(inputs)``, in eval mode: what a
  feature extractor runs. For a recognizer (MMAction2's ``Recognizer3D``
  / ``Recognizer2D``) that is the backbone; for VSPP and VCOP backbone and
  pretext head; for auxSKD, RSPNet, MLFO and Vi2CLR the (student / query /
  3D) backbone (Vi2CLR's image-only ablation: its 2D encoder on the
  middle frames). Teachers, key encoders, projection necks, Vi2CLR's 2D
  encoder beside a 3D one and the recognizers' classifiers do not run in
  that mode, so their FLOPs are not in the figure.
* params: every parameter of the model as the config builds it (teachers,
  key encoders, heads included), ``sum(p.numel())``.
* input: one sample of the ``--split`` dataloader's pipeline (default: the
  training one, else validation, else test), run on a synthetic video (or
  raw frames, or image, as the pipeline reads) of 256 frames at 320x240:
  the packed ``inputs`` shape with a batch of 1, e.g. ``1x2x3x16x112x112``
  for auxSKD's two views of 16 frames, ``1x3x3x16x112x112`` for VCOP's
  three clips, ``1x1x3x16x112x112`` for one finetuning clip. ``--shape``
  counts that input shape instead (e.g. ``--shape 1 1 3 32 112 112``).

A config that fails is reported on stderr with its error; the tool goes on
with the others and exits with status 1. Nothing is downloaded: models
are built without loading weights.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile

import cv2
import numpy as np
import torch

import mmauxskd  # noqa: F401  (stack fixes, registers our modules)
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config, DictAction
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mmauxskd.cfg.walk import loader_datasets, transforms_of

SPLITS = ('train', 'val', 'test')
NUM_FRAMES, WIDTH, HEIGHT = 256, 320, 240


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='+', metavar='CONFIG',
                        help='config files, or folders of configs')
    parser.add_argument(
        '--split', choices=SPLITS, default=None,
        help="whose pipeline makes the input (default: the config's "
        'training pipeline, else validation, else test)')
    parser.add_argument(
        '--shape', type=int, nargs='+', default=None,
        help='count this input shape instead, batch first (e.g. 1 1 3 16 '
        '112 112)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of every config, key=value')
    return parser.parse_args(argv)


def config_paths(paths):
    """The config files of ``paths`` (a folder: its ``*.py`` files,
    recursively, except those under ``_base_``), sorted per folder."""
    out = []
    for path in paths:
        if not osp.isdir(path):
            out.append(path)
            continue
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if d != '_base_']
            found += [osp.join(root, f) for f in files if f.endswith('.py')]
        out += sorted(found)
    return out


def split_dataset(cfg, split=None):
    """``(split, dataset config)`` whose pipeline makes the input: the one
    named, else the first of train / val / test that has one."""
    datasets = dict(reversed(list(loader_datasets(cfg))))  # first wins
    for name in (split, ) if split else SPLITS:
        if name in datasets:
            return name, datasets[name]
    raise ValueError(f'{split}_dataloader has no dataset with a pipeline'
                     if split else 'the config has no dataloader with a '
                     'pipeline; give --shape')


class SyntheticData:
    """A grey video, its raw frames and an image in a temporary folder,
    written on first use; ``sample(dataset)`` is the results dict the
    dataset would hand its pipeline for one of them."""

    def __init__(self, folder):
        self.folder = folder
        self.frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
        self._written = set()

    def _path(self, name, write):
        path = osp.join(self.folder, name)
        if name not in self._written:
            write(path)
            self._written.add(name)
        return path

    def _video(self, path):
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                                 (WIDTH, HEIGHT))
        for _ in range(NUM_FRAMES):
            writer.write(self.frame)
        writer.release()
        if not (osp.exists(path) and osp.getsize(path)):
            raise RuntimeError('OpenCV wrote no mp4v video (no MPEG-4 '
                               'encoder in this build); give --shape')

    def _frames(self, tmpl):
        def write(folder):
            os.makedirs(folder)
            for i in range(NUM_FRAMES):
                cv2.imwrite(osp.join(folder, tmpl.format(i + 1)), self.frame)
        return write

    def sample(self, dataset):
        kinds = {t['type'] for t in transforms_of(dataset['pipeline'])}
        common = dict(label=0, modality='RGB', sample_idx=0)
        if 'RawFrameDecode' in kinds:
            tmpl = dataset.get('filename_tmpl', 'img_{:05}.jpg')
            folder = 'frames_' + ''.join(c if c.isalnum() else '_'
                                         for c in tmpl)
            return dict(common, offset=0, total_frames=NUM_FRAMES,
                        filename_tmpl=tmpl,
                        start_index=dataset.get('start_index', 1),
                        frame_dir=self._path(folder, self._frames(tmpl)))
        if 'LoadImageAsClip' in kinds:
            return dict(common, filename=self._path(
                'image.jpg', lambda p: cv2.imwrite(p, self.frame)))
        return dict(common, start_index=dataset.get('start_index', 0),
                    filename=self._path('video.mp4', self._video))


def input_shape(cfg, data, split=None):
    """``(shape, source)``: the packed ``inputs`` of one sample of the
    split's pipeline, with a batch dimension of 1."""
    name, dataset = split_dataset(cfg, split)
    packed = Compose([dict(t) for t in dataset['pipeline']])(
        data.sample(dataset))
    if packed is None:
        raise ValueError(f'the {name} pipeline dropped the synthetic sample')
    return (1, ) + tuple(packed['inputs'].shape), f'{name} pipeline'


def complexity(model, shape):
    """``(flops, params)`` of ``model(inputs)`` (mmengine's 'tensor'
    mode) on a random input of ``shape``.

    mmengine's ``FlopAnalyzer`` and ``parameter_count``, the two figures of
    its ``get_model_complexity_info`` without the activation count, which
    would trace the model a second time. Its warnings about what the count
    leaves out are off: the modules the trace never calls (by design:
    teachers, key encoders, heads outside the 'tensor' mode) and operators
    without a FLOP rule (additions, normalisation, pooling: fvcore's
    convention, as in MMAction2's figures).
    """
    with torch.no_grad():
        flops = FlopAnalyzer(model, (torch.randn(shape), ))
        flops.unsupported_ops_warnings(False).uncalled_modules_warnings(
            False)
        return flops.total(), parameter_count(model)['']


def describe(path, flops, params, shape, source):
    """The tool's line for one config."""
    dims = 'x'.join(str(s) for s in shape)
    return (f'{path}: FLOPs {flops / 1e9:.4g} G, params {params / 1e6:.4g} '
            f'M, input {dims} ({source})')


def analyse(path, data, split=None, shape=None, cfg_options=None):
    """The line of :func:`describe` for the config at ``path``."""
    from mmaction.registry import MODELS
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    if shape is None:
        shape, source = input_shape(cfg, data, split)
    else:
        shape, source = tuple(shape), '--shape'
    model = MODELS.build(cfg.model)
    model.eval()
    flops, params = complexity(model, shape)
    return describe(path, flops, params, shape, source)


def main(argv=None):
    args = parse_args(argv)
    paths = config_paths(args.configs)
    if not paths:
        sys.exit(f'no config found in {" ".join(args.configs)}')
    failed = []
    with tempfile.TemporaryDirectory(prefix='get_flops_') as folder:
        data = SyntheticData(folder)
        for path in paths:
            try:
                line = analyse(path, data, args.split, args.shape,
                               args.cfg_options)
            except Exception as err:  # report, go on with the others
                failed.append(path)
                print(f'{path}: failed: {type(err).__name__}: {err}',
                      file=sys.stderr, flush=True)
                continue
            print(line, flush=True)
    if failed:
        sys.exit(f'{len(failed)} of {len(paths)} config(s) failed: '
                 + ' '.join(failed))


if __name__ == '__main__':
    main()

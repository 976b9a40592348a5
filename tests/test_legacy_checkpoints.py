"""Checkpoints written by the code before VCOP and RSPNet followed their
original code (and RSPNet renamed its modules) still load.

``tests/data/legacy/*_tiny.pth`` were written at 319d2b4 (before the
pretexts moved onto BasePretext and RSPNet renamed ``teacher`` ->
``key_encoder`` and ``anchor_queue`` -> ``queue``) by
``tests/data/legacy/make_legacy_checkpoints.py``, whose docstring gives
the command; the models here are built from the same configs. Each file
is loaded strictly through mmengine (the weights-only loader included)
and every old tensor must land, unchanged, under its new name.
"""
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_checkpoint
from mmaction.registry import MODELS

from conftest import ROOT
from mmauxskd.utils.checkpoint import safe_torch_load

LEGACY = osp.join(ROOT, 'tests/data/legacy')
KEYS, QUEUE = 'momentum_contrast.encoder.', 'momentum_contrast.queue.'
RENAMES = dict(
    rspnet=(('teacher.module.0.', KEYS + 'module.backbone.'),
            ('teacher.module.1.', KEYS + 'module.neck.'),
            ('teacher.module.2.', KEYS + 'module.speed_neck.'),
            ('teacher.steps', KEYS + 'steps'),
            ('anchor_queue.', QUEUE)),
    auxskd=(('teacher.', KEYS), ('anchor_queue.', QUEUE)))
# RSPNet's names at version 2 (key_encoder, queue as modules of their own)
RSPNET_V2 = ((KEYS, 'key_encoder.'), (QUEUE, 'queue.'))


def legacy_configs():
    spec = importlib.util.spec_from_file_location(
        'make_legacy_checkpoints', osp.join(LEGACY,
                                            'make_legacy_checkpoints.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.configs(ROOT)


def new_name(name, key):
    for old, new in RENAMES.get(name, ()):
        if key.startswith(old):
            return new + key[len(old):]
    return key


@pytest.mark.parametrize('name', ['auxskd', 'rspnet', 'vspp', 'vcop'])
def test_checkpoint_written_before_the_renames_loads(name):
    init_default_scope('mmaction')
    path = osp.join(LEGACY, f'{name}_tiny.pth')
    old = safe_torch_load(path)['state_dict']
    model = MODELS.build(legacy_configs()[name])
    load_checkpoint(model, path, map_location='cpu', strict=True)
    state = model.state_dict()
    assert len(state) == len(old)
    for key, value in old.items():
        assert torch.equal(state[new_name(name, key)], value), key
    if name in ('auxskd', 'rspnet'):
        encoder = model.momentum_contrast.encoder
        queue = model.momentum_contrast.queue
        assert int(encoder.steps) == 1 and int(queue.ptr) == 4
        # the EMA copy is not the online encoder: a swapped mapping fails
        assert not torch.equal(encoder.module[0].conv1.conv.conv_s.weight
                               if name == 'auxskd' else
                               encoder.module['backbone'].conv1.conv.
                               conv_s.weight,
                               model.backbone.conv1.conv.conv_s.weight)


def test_new_rspnet_checkpoint_round_trips(tmp_path):
    init_default_scope('mmaction')
    cfg = legacy_configs()['rspnet']
    model = MODELS.build(cfg)
    model.momentum_contrast.encoder.steps.fill_(3)
    state = model.state_dict()
    assert state._metadata['']['version'] == 3
    torch.save(dict(state_dict=state), tmp_path / 'new.pth')
    fresh = MODELS.build(cfg)
    load_checkpoint(fresh, str(tmp_path / 'new.pth'), strict=True)
    for key, value in fresh.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_version_2_rspnet_checkpoint_loads(tmp_path):
    """Keys of the version before the momentum block (``key_encoder.*``,
    ``queue.*``) land on the block's."""
    init_default_scope('mmaction')
    cfg = legacy_configs()['rspnet']
    model = MODELS.build(cfg)
    model.momentum_contrast.encoder.steps.fill_(5)
    model.momentum_contrast.queue.ptr.fill_(2)
    state = model.state_dict()
    old = type(state)()
    for key, value in state.items():
        for new, former in RSPNET_V2:
            if key.startswith(new):
                key = former + key[len(new):]
                break
        old[key] = value
    assert 'key_encoder.steps' in old and 'queue.bank' in old
    old._metadata = state._metadata
    old._metadata['']['version'] = 2
    torch.save(dict(state_dict=old), tmp_path / 'v2.pth')
    fresh = MODELS.build(cfg)
    load_checkpoint(fresh, str(tmp_path / 'v2.pth'), strict=True)
    for key, value in fresh.state_dict().items():
        assert torch.equal(value, state[key]), key

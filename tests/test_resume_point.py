"""Hooks tell ``--resume`` from ``load_from`` with public hook points only."""
import glob
import os
import os.path as osp
import random
import re
from types import SimpleNamespace

import pytest

from conftest import ROOT
from mmauxskd.engine.hooks.broken_video_hook import BrokenVideoReportHook
from mmauxskd.engine.hooks.random_state_hook import (RandomStateHook,
                                                     get_rng_states)

# runner._x, runner.train_loop._x, ...: a private attribute of the Runner
PRIVATE = re.compile(r'\brunner(\.[A-Za-z]\w*)*\._\w')


def test_no_module_reads_a_private_runner_attribute():
    hits = []
    for path in glob.glob(osp.join(ROOT, 'mmauxskd', '**', '*.py'),
                          recursive=True):
        for n, line in enumerate(open(path), 1):
            if PRIVATE.search(line):
                hits.append(f'{osp.relpath(path, ROOT)}:{n}: {line.strip()}')
    assert not hits, '\n'.join(hits)
    assert PRIVATE.search('if runner._resume:')  # the pattern does match
    assert PRIVATE.search('runner.train_loop._iter')


def _runner(epoch, iter, work_dir=''):
    return SimpleNamespace(epoch=epoch, iter=iter, work_dir=work_dir,
                           train_dataloader=SimpleNamespace(dataset=[]))


def _checkpoint(**meta):
    return dict(meta=dict(epoch=1, iter=4, **meta))


@pytest.mark.parametrize('position,restored', [((1, 4), True),
                                               ((0, 0), False)])
def test_random_states_restored_only_when_training_resumes(position,
                                                           restored):
    random.seed(1)
    saved = get_rng_states()
    hook = RandomStateHook()
    # after_load_checkpoint comes first (runner.load_checkpoint), the loop's
    # counters are set afterwards, by runner.resume() only
    hook.after_load_checkpoint(_runner(0, 0),
                               _checkpoint(rng_states=[saved]))
    random.seed(2)
    own = random.random()
    random.seed(2)
    hook.before_train(_runner(*position))
    assert (random.random() != own) == restored


@pytest.mark.parametrize('position,kept', [((1, 4), True), ((0, 0), False),
                                           (None, False)])
def test_broken_sample_list_kept_only_when_training_resumes(tmp_path,
                                                            position, kept):
    path = tmp_path / 'broken_samples.jsonl'
    path.write_text('{"path": "a.mp4"}\n')
    hook = BrokenVideoReportHook()
    if position is not None:  # None: no checkpoint at all
        hook.after_load_checkpoint(_runner(0, 0), _checkpoint())
    hook.before_train(_runner(*(position or (0, 0)), str(tmp_path)))
    assert osp.exists(path) == kept
    if osp.exists(path):
        os.remove(path)

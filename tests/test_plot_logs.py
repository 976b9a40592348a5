"""tools/analysis/plot_logs.py on real mmengine logs made here."""
import json
import os
import os.path as osp

import matplotlib.image
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner

from conftest import load_tool


def _tool():
    return load_tool('analysis/plot_logs.py')


class _Toy(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=((out - data_samples)**2).mean())
        if mode == 'predict':
            return [dict(pred=o) for o in out]
        return out


class _EpochMetric(BaseMetric):
    """acc/top1 = 0.1 * the number of evaluations so far."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def process(self, data_batch, data_samples):
        self.results += list(data_samples)

    def compute_metrics(self, results):
        self.calls += 1
        return {'acc/top1': 0.1 * self.calls}


def _train(work_dir, epochs=3):
    """A real mmengine run: 4 iterations per epoch, validation each epoch."""
    data = [dict(inputs=torch.rand(2), data_samples=torch.rand(1))
            for _ in range(8)]
    loader = dict(dataset=data, batch_size=2, num_workers=0,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  collate_fn=dict(type='default_collate'))
    runner = Runner(
        model=_Toy(), work_dir=str(work_dir), train_dataloader=loader,
        # mmengine reuses a Visualizer by experiment name (a timestamp by
        # default): two runs in one second would share one log directory
        experiment_name=f'plot_logs_{id(loader)}_{work_dir}',
        val_dataloader=loader, val_evaluator=[_EpochMetric()],
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        val_cfg=dict(), optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                           checkpoint=None),
        default_scope='mmaction')  # leaves the scope other tests expect
    runner.train()
    return str(work_dir)


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('runs')
    return _train(root / 'a', 3), _train(root / 'b', 2)


def test_real_log_is_read_against_iterations(runs):
    series = _tool().load_run(runs[0])
    xs, losses = series['loss']
    assert list(xs) == list(range(1, 13))  # 3 epochs x 4 iterations
    assert all(v > 0 for v in losses)
    # validation (logged with step = epoch) sits at its epoch's last iteration
    assert series['acc/top1'] == ((4, 8, 12), pytest.approx((0.1, 0.2, 0.3)))
    assert 'lr' not in series and 'time' not in series


def test_several_runs_on_one_png(runs, tmp_path):
    out = str(tmp_path / 'fig' / 'curves.png')
    drawn = _tool().main(list(runs) + ['--keys', 'loss', 'acc/top1',
                                       '--legend', 'long', 'short',
                                       '--out', out])
    assert drawn == {'loss': ['long', 'short'], 'acc/top1': ['long', 'short']}
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    image = matplotlib.image.imread(out)
    assert image.shape[:2] == (360, 1200)  # 1 row of 2 panels at 100 dpi
    assert image[..., :3].std() > 0.05  # not blank


def test_default_keys_timestamp_dirs_and_files(runs, tmp_path):
    tool = _tool()
    stamp = [d for d in os.listdir(runs[1])
             if osp.isdir(osp.join(runs[1], d))][0]
    scalars = osp.join(runs[1], stamp, 'vis_data', 'scalars.json')
    drawn = tool.main([osp.join(runs[1], stamp), scalars, '--out',
                       str(tmp_path / 'x.png')])
    assert sorted(drawn) == ['acc/top1', 'loss']
    # a resumed run: a later timestamp dir continues the curve
    later = osp.join(runs[1], '99999999_999999', 'vis_data')
    os.makedirs(later)
    with open(osp.join(later, 'scalars.json'), 'w') as f:
        f.write(json.dumps(dict(loss=0.5, epoch=3, iter=9, step=9)) + '\n')
        f.write(json.dumps({'acc/top1': 0.9, 'step': 3}) + '\n')
    series = tool.load_run(runs[1])
    assert series['loss'][0] == tuple(range(1, 10))
    assert series['acc/top1'] == ((4, 8, 9), pytest.approx((0.1, 0.2, 0.9)))
    with pytest.raises(KeyError, match='available'):
        tool.main([runs[0], '--keys', 'nope', '--out',
                   str(tmp_path / 'y.png')])
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        tool.main([str(tmp_path), '--out', str(tmp_path / 'z.png')])

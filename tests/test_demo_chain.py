"""auxSKD + X end to end (paper §4.3), as tools/run_demo.py runs it.

For each X (VideoPace, VCOP, RSPNet) on the tiny demo data: auxSKD trained
with X's sampler, X initialised from the student's backbone, finetuning of
the stock Recognizer3D from X's backbone, then the 10-clip test. One epoch
per stage: what is checked is the chain, not the accuracy.
"""
import os.path as osp

import pytest
import torch

from conftest import load_tool
from mmauxskd.utils.checkpoint import safe_torch_load

run_demo = load_tool('run_demo.py')

TINY = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False']
# a tensor only X's model has (its heads)
X_KEYS = dict(videopace='head.fc_pace.weight', vcop='head.fc_order.weight',
              rspnet='speed_neck.')


def _state(path):
    return safe_torch_load(path)['state_dict']


@pytest.mark.parametrize('x', ['videopace', 'vcop', 'rspnet'])
def test_auxskd_then_x_then_finetune_and_test(tiny_data, tmp_path, x):
    top1, (aux, pretext, finetuned) = run_demo.run_arm(
        f'auxskd_{x}', str(tmp_path), seed=0, data=tiny_data,
        cfg_options=TINY)
    assert 0.0 <= top1 <= 1.0
    aux_sd, x_sd, ft_sd = _state(aux), _state(pretext), _state(finetuned)

    # stage 1 is auxSKD with X's sampling: a teacher and a queue
    assert any(k.startswith('teacher.') for k in aux_sd)
    assert 'queue' in ''.join(aux_sd)
    # stage 2 is X's own model, started from the student's backbone only
    assert any(k.startswith(X_KEYS[x]) for k in x_sd), sorted(x_sd)[-5:]
    assert not any(k.startswith('predictor.') for k in x_sd)
    if x == 'rspnet':  # its key encoder (teacher.*) starts fresh, not copied
        key = x_sd['teacher.module.0.conv1.conv.conv_s.weight']
        assert not torch.allclose(
            key, aux_sd['backbone.conv1.conv.conv_s.weight'], atol=1e-2)
    else:
        assert not any(k.startswith('teacher.') for k in x_sd)
    given = _state(osp.join(tmp_path, f'auxskd_{x}', 'stage1',
                            'pretrained_0.pth'))
    student = {k: v for k, v in aux_sd.items() if k.startswith('backbone.')}
    assert given.keys() == student.keys()
    assert all(torch.equal(given[k], student[k]) for k in student)
    # finetuning is the stock recognizer: backbone + cls_head
    assert {k.split('.')[0] for k in ft_sd} == {'backbone', 'cls_head'}
    given = _state(osp.join(tmp_path, f'auxskd_{x}', 'finetune',
                            'pretrained_0.pth'))
    assert all(torch.equal(given[k], x_sd[k]) for k in given)
    assert given.keys() == {k for k in x_sd if k.startswith('backbone.')}

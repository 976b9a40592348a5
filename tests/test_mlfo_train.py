"""MLFO at scale and on the Runner: 2 gloo ranks give the gradients,
Sinkhorn targets and score queue of 1 rank holding the global batch;
tools/train.py trains and validates the demo config on tiny clips.
(tools/dist_train.sh: test_mlfo_resume.py; resume: test_exact_resume.py.)
"""
import os
import os.path as osp

import torch
import torch.multiprocessing as mp

from conftest import free_port, run_tool, write_config
from test_dist_resume import CRASH_HOOK, _log  # noqa: F401 (kills in epoch 2)

DEMO = 'configs/mlfo/mlfo_r2plus1d-r10-w8_1xb16-3x16-600it_demo-rgb.py'
GLOBAL_BATCH = 4


def _step_grads(model, x):
    """Two training forwards (the first fills the score queue, the second
    uses it) and the second's gradients, losses and targets."""
    model.set_epoch(1, 2)  # stage 2, prototypes trainable, queue on
    model(x, mode='loss')
    model.set_epoch(1, 2)
    losses = model(x, mode='loss')
    model.zero_grad()
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()
             if p.grad is not None}
    return grads, {k: float(v) for k, v in losses.items()}


def _tiny_model():
    import mmauxskd  # noqa: F401
    from mmengine.registry import init_default_scope
    from test_mlfo import build
    init_default_scope('mmaction')
    model = build(queue_start_epoch=0, graph_start=0.5)
    for m in model.modules():  # BN per sample (running statistics), so
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.eval()  # that the ranks' split does not change the function
    return model


def _worker(rank, world, port, out, x):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.set_num_threads(1)
    model = _tiny_model()
    n = len(x) // world
    grads, losses = _step_grads(model, x[rank * n:(rank + 1) * n])
    for g in grads.values():  # what DDP does: the average over ranks
        dist.all_reduce(g)
        g /= world
    head = model.semantic_head
    torch.save(dict(grads=grads, losses=losses, queue=head.queue.bank,
                    filled=head.queue_filled),
               osp.join(out, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_two_gloo_ranks_equal_one_rank_on_the_global_batch(tmp_path):
    from test_mlfo import clips
    x = clips(GLOBAL_BATCH)
    mp.spawn(_worker, args=(2, free_port(), str(tmp_path), x), nprocs=2)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1)]
    one_grads, one_losses = _step_grads(_tiny_model(), x)
    assert 'loss_graph_low' in one_losses and 'loss_aug_mid' in one_losses
    for rank in ranks:
        # every loss over the global batch: same value on every rank
        for key, value in one_losses.items():
            assert abs(rank['losses'][key] - value) < 1e-4 * max(
                1, abs(value)), key
        # the score queue holds the global batch's scores, in rank order
        assert int(rank['filled']) == 2 * 2 * GLOBAL_BATCH
        torch.testing.assert_close(rank['queue'], ranks[0]['queue'])
        assert set(rank['grads']) == set(one_grads)
        for name, grad in one_grads.items():
            torch.testing.assert_close(rank['grads'][name], grad,
                                       rtol=1e-4, atol=1e-6, msg=name)


def tiny_body(data, epochs=2, extra_hooks=(), val=False, batch=2):
    hooks = ', '.join(f'dict(type={h!r})' for h in extra_hooks)
    videos = osp.join(data, 'videos')
    body = f'''
train_dataloader = dict(
    batch_size={batch}, num_workers=0, persistent_workers=False,
    dataset=dict(data_prefix=dict(video={videos!r}),
        ann_file={osp.join(data, "demo_unlabelled_list_videos.txt")!r}))
model = dict(semantic_head=dict(num_prototypes=4, queue_size=6),
             queue_start_epoch=1)
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
param_scheduler = []
default_hooks = dict(checkpoint=dict(max_keep_ckpts=5, interval=1),
                     logger=dict(interval=1))
custom_imports = dict(imports=['mmauxskd', 'mlfo_test_hooks'])
custom_hooks = _base_.custom_hooks + [{hooks}]
'''
    return body if val else (
        body + 'val_cfg = val_dataloader = val_evaluator = None\n')


def val_options(data, draws=8):
    """--cfg-options pointing the held-out draws at ``data``: the demo's 4
    own-task draws and its 4 instance-readout draws."""
    opts = []
    for i in range(draws):
        key = f'val_dataloader.dataset.datasets.{i}'
        opts += [f'{key}.ann_file=' + osp.join(
                     data, 'demo_pretext_val_list_videos.txt'),
                 f'{key}.data_prefix.video=' + osp.join(data, 'videos')]
    return ['--cfg-options'] + opts + ['val_dataloader.batch_size=4']


def _setup(tmp_path):
    with open(tmp_path / 'mlfo_test_hooks.py', 'w') as f:
        f.write(CRASH_HOOK)
    return dict(PYTHONPATH=os.pathsep.join(
        [str(tmp_path), os.environ.get('PYTHONPATH', '')]))


def test_demo_config_trains_and_validates(tiny_data, tmp_path):
    env = _setup(tmp_path)
    cfg = write_config(tmp_path, DEMO, tiny_body(tiny_data, 1, val=True))
    work = str(tmp_path / 'work')
    run_tool(['tools/train.py', cfg, '--work-dir', work] +
             val_options(tiny_data), env=env)
    log = _log(work)
    assert 'Epoch(train) [1][4/4]' in log and 'loss_ins' in log
    assert 'pretext/acc_instance' in log  # held-out instance discrimination
    assert 'instance/top1' in log  # the instance readout beside it
    state = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    assert int(state['state_dict']['semantic_head.queue_filled']) == 4 * 4

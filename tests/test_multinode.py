"""Two "nodes" on one machine: tools/dist_train.sh twice, NNODES=2 and
NODE_RANK 0 / 1 against MASTER_ADDR=127.0.0.1, one process each (gloo on
CPU), sharing the work dir as nodes on a shared filesystem do.

The auxSKD demo config at the tiny size of tests/test_auxskd_train.py, so
that the EMA teacher and the anchor queue are compared as well as the
student. A node that never meets the other (a failed rendezvous) waits in
torchrun for 15 minutes: every launch here runs under a timeout, after
which it is stopped (:func:`_stop`).
"""
import glob
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time

import torch

from conftest import ROOT, free_port, write_config
from test_auxskd_train import (DEMO, QUEUE, QUEUE_KEYS, STEPS, TEACHER,
                               _setup, tiny_body)

TIMEOUT = 300  # s; the run takes ~20 s on 2 quiet cores


def _launch(cfg, work, node_rank, env, log):
    """``tools/dist_train.sh cfg 1`` as node ``node_rank`` of 2, in a
    process group of its own (see :func:`_stop`)."""
    env = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1',
               LOGLEVEL='INFO',  # torchrun's rendezvous result
               NNODES='2', NODE_RANK=str(node_rank),
               MASTER_ADDR='127.0.0.1', **env)
    return subprocess.Popen(
        ['bash', 'tools/dist_train.sh', cfg, '1', '--work-dir', work],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)


def _stop(proc):
    """End a launch: SIGTERM to torchrun first (its workers run in sessions
    of their own, which it ends), then SIGKILL to what is left of the
    launch's process group."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _wait_all(procs, timeout, grace=30):
    """Exit codes of ``procs`` ('timed out' for one still running after
    ``timeout`` s, or ``grace`` s after another one failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            p.poll() is None for p in procs):
        if any(p.poll() for p in procs):  # one failed: the other waits
            deadline = min(deadline, time.monotonic() + grace)
        time.sleep(0.5)
    return [p.poll() if p.poll() is not None else 'timed out'
            for p in procs]


def test_two_nodes_train_to_the_same_state(tiny_data, tmp_path):
    env = _setup(tmp_path)
    env['PORT'] = str(free_port())
    cfg = write_config(tmp_path, DEMO, tiny_body(
        tiny_data, epochs=1, extra_hooks=['DumpStateHook']))
    work = str(tmp_path / 'work')
    logs = [str(tmp_path / f'node{n}.txt') for n in (0, 1)]
    procs = []
    try:
        for node, log in enumerate(logs):
            with open(log, 'w') as f:
                procs.append(_launch(cfg, work, node, env, f))
        codes = _wait_all(procs, TIMEOUT)
    finally:
        for proc in procs:
            _stop(proc)
    text = [open(log).read() for log in logs]
    assert codes == [0, 0], '\n'.join(
        f'node {n}: {code}\n{t[-6000:]}'
        for n, (code, t) in enumerate(zip(codes, text)))

    # each node had its own node rank and global rank, of 2 in all
    for node, t in enumerate(text):
        assert re.search(rf'group_rank={node}\s', t), t[-3000:]
        assert re.search(r'group_world_size=2\s', t)
        assert f'global_ranks=[{node}]' in t
        assert 'global_world_sizes=[2]' in t
    # one log, one checkpoint: only global rank 0 writes into the shared
    # work dir (node 1's local rank 0 does not)
    run_logs = glob.glob(osp.join(work, '*', '*.log'))
    assert len(run_logs) == 1, run_logs
    log = open(run_logs[0]).read()
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Epoch(train) [1][2/2]' in log  # 8 videos / (2 nodes x 2)
    assert sorted(glob.glob(osp.join(work, '*.pth'))) == [
        osp.join(work, f) for f in ('end_rank0.pth', 'end_rank1.pth',
                                    'epoch_1.pth', 'last_iter_rank0.pth',
                                    'last_iter_rank1.pth')]

    # bit for bit: student, EMA teacher, anchor queue and its pointer
    ranks = [torch.load(osp.join(work, f'end_rank{r}.pth')) for r in (0, 1)]
    assert ranks[0].keys() == ranks[1].keys()
    for key, value in ranks[0].items():
        assert torch.equal(value, ranks[1][key]), key
    # and the checkpoint node 0 wrote is what node 1 holds
    saved = torch.load(osp.join(work, 'epoch_1.pth'),
                       weights_only=False)['state_dict']
    assert saved.keys() == ranks[1].keys()
    for key, value in saved.items():
        assert torch.equal(value, ranks[1][key]), key
    state = ranks[1]
    assert any(k.startswith(TEACHER + 'module.0.') for k in state)
    # 2 iterations x (2 nodes x 2 clips) gathered into each node's queue
    assert int(state[QUEUE_KEYS + 'ptr']) == 2 * 4 % QUEUE
    assert int(state[STEPS]) == 2
    assert not torch.equal(state[TEACHER + 'module.1.mlp.0.weight'],
                           state['neck.mlp.0.weight'])


def _listening(port):
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) == 0


def test_a_terminated_launcher_leaves_no_process(tmp_path):
    """SIGTERM to tools/dist_train.sh (a scheduler, ``timeout``) stops
    torchrun too: here node 0 of 2, waiting for a node 1 that never comes.
    """
    port = free_port()
    with open(tmp_path / 'node0.txt', 'w') as log:
        proc = _launch('unused.py', str(tmp_path / 'work'), 0,
                       dict(PORT=str(port)), log)
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):  # torchrun's store is up: it waits
            assert proc.poll() is None, open(tmp_path / 'node0.txt').read()
            assert time.monotonic() < deadline, 'torchrun never listened'
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)  # the launcher only, not its group
        proc.wait(60)
        time.sleep(1)
        try:
            os.killpg(proc.pid, 0)
            left = True
        except ProcessLookupError:
            left = False
        assert not left, 'processes of the launch outlived its SIGTERM'
    finally:
        _stop(proc)

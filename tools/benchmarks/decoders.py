"""Video decoders side by side: same files, same frame indices, clips/s.

For each video, the frame indices of ``--draws`` VSPP clips
(``SegmentPaceSampler``: 16 frames, 4 segments, paces 1-4) and of as many
auxSKD samples (two independent VSPP draws, decoded as the sorted union of
their indices in one pass, as ``MultiViewClips`` does) are drawn once with a
fixed seed. Every decoder then opens the file and decodes each index set
(opening and indexing the file is part of a sample's cost in a pipeline,
so it is timed too). Decoders run in their own processes, one round each in
turn (rotating which goes first) so that machine load hits them alike.

Decoders: ``decord`` (decord 0.6.0's ``VideoReader.get_batch``; optional,
``pip install -e .[decord]``, reported as unavailable without it),
``pyav`` (:class:`mmauxskd.datasets.transforms.video_readers.PyAVReader`),
``mmaction-pyav`` (MMAction2's ``PyAVInit`` + ``PyAVDecode``, accurate
mode), ``torchcodec`` (CPU; reported as unavailable, with the reason, where
it cannot load). ``NAME=PATH`` runs decoder ``NAME`` with ``PATH`` first on
``PYTHONPATH``: ``decord2`` installs as the package ``decord`` and cannot
sit beside decord 0.6.0, so it is measured from its own folder::

    pip install --no-deps --target /tmp/decord2_site decord2
    python tools/benchmarks/decoders.py /tmp/skv/videos/*.mp4 \\
        --decoders decord decord=/tmp/decord2_site:decord2 pyav

(``NAME=PATH:LABEL`` prints ``LABEL``.) Prints a table of clips/s per file
and decoder, per index kind, and the ratio of each decoder to the first
(the median over the rounds of the per-round ratio, robust to bursts of
load from other jobs).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
KINDS = ('vspp', 'auxskd')
TOLERANCE = 3.0  # grey levels


def draw_indices(num_frames, draws, seed=0):
    """``{kind: [index arrays]}`` for a video of ``num_frames`` frames."""
    sys.path.insert(0, ROOT)
    from mmauxskd.datasets.transforms.segment_pace import SegmentPaceSampler
    sampler = SegmentPaceSampler(clip_len=16, num_segments=4, num_paces=4)
    rng = np.random.default_rng(seed)
    out = {'vspp': [], 'auxskd': []}
    for _ in range(draws):
        out['vspp'].append(sampler.sample_indices(num_frames, rng)[0])
        views = [sampler.sample_indices(num_frames, rng)[0] for _ in '12']
        out['auxskd'].append(np.unique(np.concatenate(views)))
    return {k: [v.tolist() for v in vs] for k, vs in out.items()}


def make_decoder(name):
    """``decode(path, indices) -> (n, H, W, 3) array`` for ``name``."""
    if name == 'decord':
        from mmauxskd.datasets.transforms.video_readers import import_decord
        decord = import_decord('--decoders decord')

        def decode(path, inds):
            reader = decord.VideoReader(path, num_threads=1)
            return reader.get_batch(inds).asnumpy()
        return decode
    if name == 'pyav':
        from mmauxskd.datasets.transforms.video_readers import PyAVReader

        def decode(path, inds):
            return np.stack(PyAVReader(path).get_frames(inds))
        return decode
    if name == 'mmaction-pyav':
        from mmaction.datasets.transforms import PyAVDecode, PyAVInit
        init, dec = PyAVInit(), PyAVDecode()

        def decode(path, inds):
            res = dec.transform(init.transform(dict(
                filename=path, frame_inds=np.asarray(inds))))
            return np.stack(res['imgs'])
        return decode
    if name == 'torchcodec':
        from mmauxskd.datasets.transforms.video_readers import (
            TorchCodecReader, torchcodec_problem)
        problem = torchcodec_problem('cpu')
        if problem:
            raise RuntimeError(problem)

        def decode(path, inds):
            return np.stack(TorchCodecReader(path).get_frames(inds))
        return decode
    raise ValueError(f'unknown decoder {name!r}')


def serve(name):
    """Child process: read ``{"path", "indices"}`` lines, answer seconds."""
    import cv2
    cv2.setNumThreads(0)  # as in mmengine's dataloader workers
    try:
        decode = make_decoder(name)
        version = _version(name)
    except Exception as err:
        _answer(dict(error=f'{type(err).__name__}: {err}'[:300]))
        return
    _answer(dict(ready=version))
    for line in sys.stdin:
        job = json.loads(line)
        start = time.perf_counter()
        frames = None
        for inds in job['indices']:
            frames = decode(job['path'], inds)
        took = time.perf_counter() - start
        _answer(dict(seconds=took, shape=list(frames.shape),
                     means=frames[:, ::4, ::4].mean(axis=(1, 2, 3)).tolist()))


MARK = '@@decoder '


def _answer(record):
    # marked: libraries print to stdout too (decord's warnings, ...)
    print(MARK + json.dumps(record), flush=True)


def _read_answer(stream):
    for line in stream:
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return dict(error='the decoder process died')


def _version(name):
    if name in ('decord', 'torchcodec'):
        module = __import__(name)
        return f'{name} {module.__version__} ({osp.dirname(module.__file__)})'
    import av
    return f'PyAV {av.__version__}'


class Child:
    def __init__(self, spec):
        name, _, rest = spec.partition('=')
        path, _, label = rest.partition(':')
        self.name, self.label = name, label or name
        env = dict(os.environ, OMP_NUM_THREADS='1')
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (path, ROOT, env.get('PYTHONPATH')) if p)
        self.proc = subprocess.Popen(
            [sys.executable, osp.abspath(__file__), '--serve', name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=env, cwd=ROOT)
        hello = _read_answer(self.proc.stdout)
        self.error = hello.get('error')
        self.version = hello.get('ready')

    def run(self, path, indices):
        self.proc.stdin.write(json.dumps(dict(path=path, indices=indices))
                              + '\n')
        self.proc.stdin.flush()
        out = _read_answer(self.proc.stdout)
        if 'error' in out:
            raise RuntimeError(f'{self.label} on {path}: {out["error"]}')
        return out

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


def _frame_count(path):
    sys.path.insert(0, ROOT)
    from mmauxskd.datasets.transforms.video_readers import PyAVReader
    return len(PyAVReader(path))


def benchmark(videos, specs, draws=10, rounds=3, seed=0):
    """``(rows, children)``: rows ``(file, kind, label, clips/s, median
    per-round ratio to the first decoder, same frames as the first
    decoder)``. "Same frames": per-frame mean grey levels (of a subsampled
    grid) within ``TOLERANCE`` of the first decoder's, which flags a wrong
    frame or order, not the colour conversion's rounding."""
    children = [Child(s) for s in specs]
    live = [c for c in children if not c.error]
    totals = {}
    checks = {}
    try:
        for v, path in enumerate(videos):
            sets = draw_indices(_frame_count(path), draws, seed + v)
            for rnd in range(rounds + 1):  # round 0 warms up
                for kind in KINDS:
                    k = (rnd + v) % max(len(live), 1)
                    for child in live[k:] + live[:k]:
                        out = child.run(path, sets[kind])
                        checks.setdefault((path, kind), {})[
                            child.label] = np.array(out['means'])
                        if rnd:
                            totals.setdefault((path, kind, child.label),
                                              []).append(out['seconds'])
    finally:
        for child in children:
            child.close()
    rows = []
    first = live[0].label if live else None
    for (path, kind, label), secs in totals.items():
        clips = draws * rounds * (2 if kind == 'auxskd' else 1)
        sums = checks[(path, kind)]
        ref = sums[first]
        # the median over rounds of the per-round ratio to the first
        # decoder: a burst of load from other jobs spoils one round only
        ratio = float(np.median(np.array(totals[(path, kind, first)]) /
                                np.array(secs)))
        rows.append((path, kind, label, clips / sum(secs), ratio,
                     sums[label].shape == ref.shape and
                     bool(np.abs(sums[label] - ref).max() < TOLERANCE)))
    return rows, children


def report(rows, children):
    labels = [c.label for c in children if not c.error]
    lines = []
    for c in children:
        lines.append(f'# {c.label}: ' + (f'UNAVAILABLE: {c.error}'
                                         if c.error else c.version))
    head = f'{"video":28s}{"indices":>8s}' + ''.join(
        f'{n:>14s}' for n in labels) + ''.join(
        f'{n + "/" + labels[0]:>22s}' for n in labels[1:])
    lines.append(head + '   (clips/s)')
    table = {(p, k, n): (r, q, ok) for p, k, n, r, q, ok in rows}
    for path in dict.fromkeys(row[0] for row in rows):
        name = osp.join(osp.basename(osp.dirname(path)), osp.basename(path))
        for kind in KINDS:
            got = [table[(path, kind, n)] for n in labels]
            same = all(ok for _, _, ok in got)
            line = f'{name[-28:]:28s}{kind:>8s}' + ''.join(
                f'{r:14.1f}' for r, _, _ in got) + ''.join(
                f'{q:22.2f}' for _, q, _ in got[1:])
            lines.append(line + ('' if same else '   frames DIFFER'))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('videos', nargs='*')
    parser.add_argument('--decoders', nargs='+',
                        default=['decord', 'pyav', 'mmaction-pyav',
                                 'torchcodec'],
                        help='NAME or NAME=PYTHONPATH[:LABEL]')
    parser.add_argument('--draws', type=int, default=10,
                        help='index sets per kind and video')
    parser.add_argument('--rounds', type=int, default=3,
                        help='timed rounds (after one warm-up round)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--serve', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve)
    if not args.videos:
        parser.error('no videos')
    rows, children = benchmark(args.videos, args.decoders, args.draws,
                               args.rounds, args.seed)
    print(f'{len(args.videos)} videos, {args.draws} index sets per kind, '
          f'{args.rounds} timed rounds; load average '
          f'{os.getloadavg()[0]:.1f} at the end')
    print(report(rows, children))
    return rows


if __name__ == '__main__':
    main()

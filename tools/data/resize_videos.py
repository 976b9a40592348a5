"""Re-encode a dataset's videos small and easy to seek, for fast training.

Decoding dominates the training loader on real videos, and its cost grows
with the frame size and with the distance from a keyframe to the frames a
clip needs (docs/benchmarks.md#resized-videos). The training pipelines
resize to a short side of 128 before cropping 112 (paper §4.2), so frames
decoded any larger are wasted work. This writes every video as H.264 in
MP4 (PyAV's bundled FFmpeg and libx264; ``pip install av``):

* short side ``--short-side`` (default 128; aspect kept, even sizes;
  videos already that small keep their size), area interpolation;
* a keyframe every ``--gop`` frames (default 16) and no B-frames: a clip
  (VSPP spans 16-28 frames) then decodes from at most 15 frames before its
  first index, where camera files often have hundreds (bigbuckbunny.mp4:
  one keyframe in 132 frames); without B-frames every frame depends only on
  earlier ones. Measured (docs/benchmarks.md#keyframe-interval): 8 and 16
  gave the most clips/s for VSPP and auxSKD, and 16's files are 18%
  smaller than 8's;
* ``-tune fastdecode`` (no CABAC, no deblocking: cheaper to decode), CRF 23,
  preset ``veryfast``; every frame kept, in order (a variable frame rate
  becomes the average constant one), no audio.

Inputs: all videos below ``--src-root``, or the files of an MMAction2 list
(``--list``, paths relative to ``--src-root``). Outputs mirror the relative
paths below ``--dst-root`` with the extension ``.mp4``; with ``--list`` the
same list pointing at them is written (``--out-list``, default
``<dst-root>/<list name>``), so a config only needs the new root and list::

    python tools/data/resize_videos.py --src-root data/kinetics400/videos \\
        --list data/kinetics100/kinetics100_train_list_videos.txt \\
        --dst-root data/kinetics400/videos_128 --workers 8
    # then, e.g.:  --cfg-options \\
    #   train_dataloader.dataset.data_prefix.video=data/kinetics400/videos_128
    #   train_dataloader.dataset.ann_file=data/kinetics400/videos_128/kinetics100_train_list_videos.txt

Parallel (``--workers`` processes, one video each, FFmpeg single-threaded
in each), resumable (an output is written to a temporary name, checked, and
only then renamed, so an existing output is complete; on a rerun it is
skipped after its frame count is compared with the source's, which reads
packets only), with a progress line. The check of each output: it decodes
completely, has exactly the source's frame count, and three frames (first,
middle, last) match the source's resized frames (mean absolute difference
below ``--max-diff`` grey levels), which also catches reordered frames.
Failures are listed (``--report`` writes them) and the exit status is 1.

Two sources whose paths differ only in the extension (``a.avi`` and
``a.mp4``, as in MMAction2's ``tests/data``) would both become ``a.mp4``:
the tool then refuses before writing anything and names both, as it does
when an output would replace one of its sources (``--dst-root`` equal to
``--src-root``). Rename one, or resize them into separate roots.
"""
import os
import os.path as osp
import sys
import time
from fractions import Fraction

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from prep_common import (VIDEO_EXTS, doc_parser, index_videos,  # noqa: E402
                         read_lines, write_list)

DEFAULTS = dict(short_side=128, gop=16, crf=23, preset='veryfast',
                tune='fastdecode', max_diff=12.0)


def target_size(width, height, short_side):
    """``(w, h)``: short side ``short_side`` (never upscaled), even."""
    if short_side and min(width, height) > short_side:
        scale = short_side / min(width, height)
        width, height = width * scale, height * scale
    return (max(2, int(round(width / 2)) * 2),
            max(2, int(round(height / 2)) * 2))


def count_packets(path):
    """Frames of the first video stream, counted from its packets (no
    decoding), or ``None`` when the file cannot be read."""
    import av
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            return sum(1 for p in container.demux(stream) if p.size)
    except Exception:
        return None


def _gray(frame):
    return frame.to_ndarray(format='gray').astype(np.float32)


def encode(src, tmp, short_side, gop, crf, preset, tune):
    """Write ``src`` resized to ``tmp``; ``(frames, {index: grey frame})``
    (the first, middle and last frames as encoded, for the check)."""
    import av
    total = count_packets(src)
    if not total:
        raise ValueError('no readable video stream')
    probe = {0, total // 2, total - 1}
    kept = {}
    with av.open(src) as inp:
        vin = inp.streams.video[0]
        vin.thread_count = 1
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        rate = Fraction(rate).limit_denominator(1001)
        width, height = target_size(vin.codec_context.width,
                                    vin.codec_context.height, short_side)
        with av.open(tmp, 'w', format='mp4') as out:
            vout = out.add_stream('libx264', rate=rate)
            vout.width, vout.height, vout.pix_fmt = width, height, 'yuv420p'
            vout.thread_count = 1
            options = {'crf': str(crf), 'preset': preset, 'x264-params':
                       f'keyint={gop}:min-keyint={gop}:scenecut=0:'
                       'bframes=0:threads=1'}
            if tune:
                options['tune'] = tune
            vout.options = options
            n = 0
            for frame in inp.decode(vin):
                small = frame.reformat(width=width, height=height,
                                       format='yuv420p',
                                       interpolation='AREA')
                small.pts, small.time_base = n, 1 / rate
                small.pict_type = 0  # keyframes where --gop says only
                if n in probe:
                    kept[n] = _gray(small)
                out.mux(vout.encode(small))
                n += 1
            out.mux(vout.encode(None))
    return n, kept


def verify(dst, frames, kept, max_diff):
    """Problem with ``dst`` (a string) or ``None``: it must decode to
    ``frames`` frames whose probes match ``kept``."""
    import av
    try:
        with av.open(dst) as container:
            stream = container.streams.video[0]
            stream.thread_count = 1
            n = 0
            for frame in container.decode(stream):
                if n in kept:
                    diff = float(np.abs(_gray(frame) - kept[n]).mean())
                    if diff > max_diff:
                        return (f'frame {n} differs from the source by '
                                f'{diff:.1f} grey levels on average')
                n += 1
    except Exception as err:
        return f'output does not decode: {type(err).__name__}: {err}'
    if n != frames:
        return f'output has {n} frames, the source {frames}'
    return None


def resize_one(task):
    """``(rel, status, detail, seconds)``; status ``done``, ``skipped`` or
    ``failed``."""
    src, dst, rel, opts = task
    start = time.perf_counter()
    try:
        if osp.isfile(dst) and not opts['force']:
            if opts['trust_existing']:
                return rel, 'skipped', 'exists', 0.0
            have, want = count_packets(dst), count_packets(src)
            if have and have == want:
                return rel, 'skipped', f'{have} frames', 0.0
        os.makedirs(osp.dirname(dst) or '.', exist_ok=True)
        tmp = f'{dst}.part{os.getpid()}.mp4'
        try:
            frames, kept = encode(src, tmp, opts['short_side'], opts['gop'],
                                  opts['crf'], opts['preset'], opts['tune'])
            problem = verify(tmp, frames, kept, opts['max_diff'])
            if problem:
                return rel, 'failed', problem, time.perf_counter() - start
            os.replace(tmp, dst)
        finally:
            if osp.exists(tmp):
                os.remove(tmp)
        return rel, 'done', f'{frames} frames', time.perf_counter() - start
    except Exception as err:
        return (rel, 'failed', f'{type(err).__name__}: {err}'.strip()[:300],
                time.perf_counter() - start)


def output_rel(rel):
    return osp.splitext(rel)[0] + '.mp4'


def clashes(src_root, dst_root, rels):
    """Lines naming each output that two sources would share, or that
    would replace a source; empty when every output is its own."""
    by_output = {}
    for rel in dict.fromkeys(rels):
        by_output.setdefault(output_rel(rel), []).append(rel)
    problems = [f'{" and ".join(srcs)} would both be written to '
                f'{osp.join(dst_root, out)}'
                for out, srcs in by_output.items() if len(srcs) > 1]
    sources = {osp.realpath(osp.join(src_root, rel)): rel for rel in rels}
    for out in by_output:
        hit = sources.get(osp.realpath(osp.join(dst_root, out)))
        if hit:
            problems.append(f'{osp.join(dst_root, out)} would replace the '
                            f'source {hit}')
    return problems


def collect(src_root, list_file=None):
    """``(relative source paths, list lines or None)``."""
    if list_file:
        lines = read_lines(list_file)
        return [line.split()[0] for line in lines], lines
    index = index_videos(src_root, VIDEO_EXTS)
    return sorted(p for paths in index.values() for p in paths), None


def run(tasks, workers, progress=True, stream=sys.stderr):
    """Results of :func:`resize_one` for ``tasks`` on ``workers``
    processes, with a progress line on ``stream``."""
    import multiprocessing
    results, start = [], time.perf_counter()
    counts = dict(done=0, skipped=0, failed=0)
    pool = multiprocessing.Pool(workers) if workers > 1 else None
    try:
        it = pool.imap_unordered(resize_one, tasks) if pool else map(
            resize_one, tasks)
        for result in it:
            results.append(result)
            counts[result[1]] += 1
            if progress:
                secs = time.perf_counter() - start
                left = (len(tasks) - len(results)) * secs / len(results)
                stream.write(
                    f'\r[{len(results)}/{len(tasks)}] done {counts["done"]} '
                    f'skipped {counts["skipped"]} failed {counts["failed"]}'
                    f' | {secs:.0f}s elapsed, ~{left:.0f}s left   ')
                stream.flush()
    finally:
        if pool:
            pool.close()
            pool.join()
    if progress and tasks:
        stream.write('\n')
    return results


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument('--src-root', required=True,
                        help='the original videos (the list is relative '
                        'to it)')
    parser.add_argument('--dst-root', required=True,
                        help='where the resized videos go')
    parser.add_argument('--list', help='an MMAction2 video list: resize '
                        'only its files, and write the list of the outputs')
    parser.add_argument('--out-list', help='the list of the outputs '
                        '(default: <dst-root>/<name of --list>)')
    parser.add_argument('--short-side', type=int,
                        default=DEFAULTS['short_side'],
                        help='0 keeps the size (re-encodes only)')
    parser.add_argument('--gop', type=int, default=DEFAULTS['gop'],
                        help='keyframe interval in frames')
    parser.add_argument('--crf', type=int, default=DEFAULTS['crf'])
    parser.add_argument('--preset', default=DEFAULTS['preset'])
    parser.add_argument('--tune', default=DEFAULTS['tune'],
                        help="x264 tune; '' for none")
    parser.add_argument('--max-diff', type=float,
                        default=DEFAULTS['max_diff'],
                        help='largest mean grey-level difference of a '
                        'checked frame')
    parser.add_argument('--workers', type=int,
                        default=max(1, (os.cpu_count() or 1)))
    parser.add_argument('--force', action='store_true',
                        help='redo existing outputs')
    parser.add_argument('--trust-existing', action='store_true',
                        help='skip existing outputs without counting frames')
    parser.add_argument('--report', help='write "path<TAB>reason" per '
                        'failed video')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.gop < 1:
        raise SystemExit('--gop must be >= 1')
    rels, lines = collect(args.src_root, args.list)
    problems = clashes(args.src_root, args.dst_root, rels)
    if problems:
        raise SystemExit(
            f'resize_videos: {len(problems)} output(s) would overwrite '
            'another file; nothing was written:\n  ' + '\n  '.join(
                problems[:10]) + (f'\n  ... and {len(problems) - 10} more'
                                  if len(problems) > 10 else '') +
            '\nRename one source of each pair, or resize them into '
            'separate --dst-root folders (and --src-root must not be '
            '--dst-root).')
    opts = dict(short_side=args.short_side, gop=args.gop, crf=args.crf,
                preset=args.preset, tune=args.tune, max_diff=args.max_diff,
                force=args.force, trust_existing=args.trust_existing)
    tasks = [(osp.join(args.src_root, rel),
              osp.join(args.dst_root, output_rel(rel)), rel, opts)
             for rel in dict.fromkeys(rels)]
    print(f'{len(tasks)} videos: {args.src_root} -> {args.dst_root} (short '
          f'side {args.short_side or "kept"}, keyframe every {args.gop} '
          f'frames), {args.workers} workers')
    start = time.perf_counter()
    results = run(tasks, args.workers, not args.no_progress)
    secs = time.perf_counter() - start
    failed = [(rel, why) for rel, status, why, _ in results
              if status == 'failed']
    done = [t for _, status, _, t in results if status == 'done']
    print(f'{len(done)} resized, {len(results) - len(done) - len(failed)} '
          f'already there, {len(failed)} failed, in {secs:.1f}s'
          + (f' ({len(done) / secs:.2f} videos/s on {args.workers} workers)'
             if done else ''))
    for rel, why in failed[:10]:
        print(f'  failed: {rel}: {why}')
    if args.report and failed:
        write_list(args.report, [f'{rel}\t{why}' for rel, why in failed])
    if lines is not None:
        bad = {rel for rel, _ in failed}
        out_lines = [' '.join([output_rel(line.split()[0])] +
                              line.split()[1:])
                     for line in lines if line.split()[0] not in bad]
        write_list(args.out_list or osp.join(
            args.dst_root, osp.basename(args.list)), out_lines)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

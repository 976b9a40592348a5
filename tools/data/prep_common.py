"""Helpers shared by the annotation tools in ``tools/data`` (not a command).

The tools write MMAction2 annotation lists:

* videos: ``<path relative to the video root> <label>``
* raw frames: ``<frame folder relative to the frame root> <frames> <label>``,
  the folder holding ``img_00001.jpg``, ``img_00002.jpg``, ... (1-based).

A frame folder mirrors its video's path without the extension (what
``extract_frames.py`` writes), so ``a/b.mp4`` has its frames in ``a/b/``.
"""
import argparse
import multiprocessing
import os
import os.path as osp
import sys

from mmengine.utils import ProgressBar

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.flv',
              '.mpg', '.mpeg', '.3gp')
FRAME_TMPL = 'img_{:05d}.jpg'
#: ``--decoder`` of the tools that decode videos; PyAV is the default
DECODERS = ('pyav', 'decord')


def doc_parser(doc):
    """An argument parser described by a tool's docstring (first paragraph
    as description, the rest as epilog), with ``--no-progress``."""
    head, _, rest = doc.partition('\n\n')
    parser = argparse.ArgumentParser(
        description=head, epilog=rest,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser


def add_decoder_arg(parser):
    """``--decoder``: PyAV (default) or decord (optional)."""
    parser.add_argument(
        '--decoder', choices=DECODERS, default='pyav',
        help='video decoder: pyav (default) or decord (optional: pip '
        'install -e .[decord])')


def check_decoder(parser, decoder):
    """Stop now, with the one line saying how to install it, when
    ``decoder`` is decord and decord is not installed."""
    if decoder == 'decord':
        from mmauxskd.datasets.transforms.video_readers import import_decord
        try:
            import_decord('--decoder decord')
        except ImportError as err:
            parser.error(str(err))


def open_video(path, decoder='pyav'):
    """A reader of ``path`` (``len``, ``get_frames(indices)``,
    ``iter_frames()``, ``close()``; RGB frames) with ``decoder``."""
    from mmauxskd.datasets.transforms.video_readers import open_reader
    return open_reader(path, decoder)


def track(iterable, total, enabled=True):
    """Yield from ``iterable`` while drawing a progress bar on stderr."""
    bar = ProgressBar(total, file=sys.stderr) if enabled and total else None
    for item in iterable:
        yield item
        if bar is not None:
            bar.update()
    if bar is not None:
        sys.stderr.write('\n')


def parallel_map(func, tasks, workers=1, progress=True,
                 maxtasksperchild=None):
    """``[func(t) for t in tasks]`` in order, on ``workers`` processes.

    ``maxtasksperchild`` recycles worker processes, which bounds the memory
    that decoders (decord especially) leak over thousands of files.
    """
    tasks = list(tasks)
    if workers <= 1 or len(tasks) <= 1:
        return list(track(map(func, tasks), len(tasks), progress))
    with multiprocessing.Pool(workers,
                              maxtasksperchild=maxtasksperchild) as pool:
        return list(track(pool.imap(func, tasks), len(tasks), progress))


def read_lines(path):
    """Non-empty lines of a text file, stripped (CRLF files too)."""
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def write_list(path, lines):
    """Write ``lines`` (one per line) and say so."""
    folder = osp.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(f'{line}\n' for line in lines)
    print(f'wrote {path} ({len(lines)} lines)')


def index_videos(root, exts=VIDEO_EXTS):
    """``{file stem: [paths relative to root]}`` of the videos below root.

    Finds class-folder layouts (``root/<class>/<name>.mp4``), flat ones
    (``root/<name>.mp4``) and deeper nestings alike.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'video root {root} is not a directory')
    exts = tuple(e.lower() for e in exts)
    index = {}
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            stem, ext = osp.splitext(name)
            if ext.lower() in exts:
                rel = osp.relpath(osp.join(folder, name), root)
                index.setdefault(stem, []).append(rel.replace(os.sep, '/'))
    return index


class VideoFinder:
    """Finds a video of a given file stem in a user's copy.

    Args:
        root (str | None): video root; ``None`` trusts the canonical paths
            (nothing is checked).
    """

    def __init__(self, root=None):
        self.root = root
        self.index = index_videos(root) if root else None
        self._lower = None

    def find(self, canonical):
        """Path relative to the root for ``canonical`` (``class/name.ext``),
        or ``None`` when the copy has no such file."""
        if self.index is None:
            return canonical
        stem = osp.splitext(osp.basename(canonical))[0]
        hits = self.index.get(stem)
        if not hits:  # file systems that changed the case
            if self._lower is None:
                self._lower = {}
                for key, paths in self.index.items():
                    self._lower.setdefault(key.lower(), []).extend(paths)
            hits = self._lower.get(stem.lower())
        if not hits:
            return None
        parent = osp.dirname(canonical)
        for hit in hits:  # prefer the expected class folder
            if hit == canonical or osp.dirname(hit) == parent:
                return hit
        return hits[0]


def count_frames(frame_dir, tmpl=FRAME_TMPL):
    """Number of consecutive frames ``tmpl.format(1..n)`` in ``frame_dir``
    (0 when the folder is missing)."""
    try:
        names = set(os.listdir(frame_dir))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    n = 0
    while tmpl.format(n + 1) in names:
        n += 1
    return n


def frame_dir_of(video_rel):
    """Frame folder of a video: its relative path without the extension."""
    return osp.splitext(video_rel)[0]


def build_lists(entries, finder, frame_root=None, progress=True):
    """Video and raw-frame list lines for ``(canonical path, label)`` pairs.

    Args:
        entries (list[tuple[str, int]]): canonical relative video paths and
            labels.
        finder (VideoFinder): the user's copy.
        frame_root (str | None): where the frame folders are; no raw-frame
            lines without it.

    Returns:
        tuple: video lines, raw-frame lines (``None`` without
        ``frame_root``), missing videos, videos whose frames are missing.
    """
    video_lines, frame_lines = [], [] if frame_root else None
    missing, missing_frames = [], []
    for canonical, label in track(entries, len(entries), progress):
        rel = finder.find(canonical)
        if rel is None:
            missing.append(canonical)
            continue
        video_lines.append(f'{rel} {label}')
        if frame_root:
            folder = frame_dir_of(rel)
            n = count_frames(osp.join(frame_root, folder))
            if n:
                frame_lines.append(f'{folder} {n} {label}')
            else:
                missing_frames.append(rel)
    return video_lines, frame_lines, missing, missing_frames


def write_split(out_dir, name, result, missing_log=None):
    """Write the lists of :func:`build_lists` as ``{name}_{videos,
    rawframes}.txt`` and report what is missing."""
    video_lines, frame_lines, missing, missing_frames = result
    paths = [osp.join(out_dir, f'{name}_videos.txt')]
    write_list(paths[0], video_lines)
    if frame_lines is not None:
        paths.append(osp.join(out_dir, f'{name}_rawframes.txt'))
        write_list(paths[1], frame_lines)
    if missing:
        print(f'  {len(missing)} video(s) of {name} are not in the copy '
              f'(left out), e.g. {missing[0]}')
    if missing_frames:
        print(f'  {len(missing_frames)} video(s) of {name} have no frames '
              f'(left out of the raw-frame list), e.g. {missing_frames[0]}')
    if missing_log is not None:
        missing_log.extend(f'{name} video {m}' for m in missing)
        missing_log.extend(f'{name} frames {m}' for m in missing_frames)
    return paths

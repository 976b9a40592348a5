"""Is this environment already what tools/setup_env.sh would make it?

``python tools/env_up_to_date.py MODE STAMP`` (run by setup_env.sh with the
environment's python) exits 0 when

* ``STAMP`` (written by ``--write`` after a successful set-up) names the
  same mode (``cpu``, or ``cuda`` with the kept torch), clone and contents
  of ``setup.py`` and the ``requirements/`` files it installs as now, and
* mmauxskd is installed editable from this clone, and every requirement of
  ``mmauxskd[tests]``, the mmaction2 of ``requirements/mmaction2.txt`` and,
  in ``cpu`` mode, every pin of ``requirements/cpu.txt`` is satisfied by
  what is installed;

else 1, and setup_env.sh runs pip. ``--write`` records the stamp.
"""
import argparse
import hashlib
import json
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# what decides what pip installs
INPUTS = ('setup.py', 'requirements/cpu.txt',
          'requirements/mmaction2.txt')


def stamp(mode, root=ROOT):
    """The text that identifies a set-up: mode, clone, inputs' hashes."""
    lines = [f'mode={mode}', f'root={root}']
    for name in INPUTS:
        with open(osp.join(root, name), 'rb') as f:
            lines.append(f'{name} {hashlib.sha256(f.read()).hexdigest()}')
    return '\n'.join(lines) + '\n'


def _requirement(line):
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pip's copy
        from pip._vendor.packaging.requirements import Requirement
    return Requirement(line)


def unsatisfied(lines, version_of):
    """The requirement strings in ``lines`` that what is installed does not
    satisfy (``version_of(name)``: the installed version, or None); those
    whose markers exclude this platform, or that belong to an extra other
    than ``tests``, are skipped."""
    missing = []
    for line in lines:
        req = _requirement(line)
        if req.marker and not any(req.marker.evaluate({'extra': extra})
                                  for extra in ('', 'tests')):
            continue
        version = version_of(req.name)
        if version is None or not req.specifier.contains(version,
                                                          prereleases=True):
            missing.append(line)
    return missing


def pins(name, root=ROOT):
    """The requirement lines of ``requirements/<name>``."""
    with open(osp.join(root, 'requirements', name)) as f:
        return [line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()]


def up_to_date(mode, stamp_path, root=ROOT):
    """(True, '') or (False, why)."""
    from importlib import metadata
    if not osp.exists(stamp_path):
        return False, 'not set up by setup_env.sh yet'
    with open(stamp_path) as f:
        if f.read() != stamp(mode, root):
            return False, 'setup.py, the requirements or the mode changed'
    # the installed distribution (a clone's own mmauxskd.egg-info may be on
    # sys.path too, e.g. with PYTHONPATH=.)
    for dist in metadata.distributions(name='mmauxskd'):
        origin = json.loads(dist.read_text('direct_url.json') or '{}')
        if origin.get('dir_info', {}).get('editable') and \
                origin.get('url', '').rstrip('/') == 'file://' + root:
            break
    else:
        return False, 'mmauxskd is not installed editable from this clone'

    def version_of(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    wanted = list(dist.requires or []) + pins('mmaction2.txt', root)
    if mode == 'cpu':
        wanted += pins('cpu.txt', root)
    missing = unsatisfied(wanted, version_of)
    if missing:
        return False, f'not satisfied: {", ".join(missing)}'
    return True, ''


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('mode', help="'cpu' or 'cuda torch==VERSION'")
    parser.add_argument('stamp', help='the stamp file in the environment')
    parser.add_argument('--write', action='store_true',
                        help='record the stamp of a set-up that succeeded')
    args = parser.parse_args(argv)
    if args.write:
        with open(args.stamp, 'w') as f:
            f.write(stamp(args.mode))
        return 0
    try:
        ok, why = up_to_date(args.mode, args.stamp)
    except Exception as err:  # a broken environment: let pip mend it
        ok, why = False, f'could not check ({type(err).__name__}: {err})'
    if not ok:
        print(f'(running pip: {why})')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

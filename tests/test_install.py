"""What `pip install -e .` asks for: decord optional, aarch64 as x86_64.

mmaction2 1.2.0 declares decord, which has no aarch64 wheel, so setup.py
does not list mmaction2: it is installed with ``--no-deps``
(requirements/mmaction2.txt) and setup.py lists its other requirements.
The offline tests check that bargain; the resolver test runs pip's own
resolver (``--dry-run``) over the declared requirements for both Linux
architectures, as a user's pip would on those machines.
"""
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
import urllib.request
from importlib import metadata

import pytest

from conftest import ROOT, setup_kwargs as declared

PYTHON = '3.11'  # the tested Python
# manylinux2014 = glibc 2.17; the newest torch, av and numpy wheels for
# aarch64 are manylinux_2_28 (Debian 10, Ubuntu 20.04, RHEL 8 and later)
PLATFORMS = {arch: [f'manylinux2014_{arch}', f'manylinux_2_28_{arch}']
             for arch in ('x86_64', 'aarch64')}


def _name(requirement):
    return re.split(r'[\s<>=!~;\[]', requirement.strip(), 1)[0].lower()


def requirement_lines(path):
    with open(osp.join(ROOT, path)) as f:
        return [line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()]


def test_decord_is_an_extra_and_mmaction2_comes_without_it():
    setup = declared()
    names = {_name(r) for r in setup['install_requires']}
    assert 'decord' not in names and 'mmaction2' not in names
    assert setup['extras_require']['decord'] == ['decord==0.6.0']
    mmaction2, = requirement_lines('requirements/mmaction2.txt')
    assert mmaction2 == f'mmaction2=={metadata.version("mmaction2")}'
    # installed with --no-deps: every other requirement of mmaction2's is
    # ours, so nothing it needs is missing
    theirs = {_name(r) for r in metadata.requires('mmaction2')
              if 'extra ==' not in r}
    assert theirs - names == {'decord'}


def test_import_without_mmaction2_says_how_to_install_it():
    """`pip install -e .` alone does not bring mmaction2 (installed with
    --no-deps): importing mmauxskd then says so in one line."""
    proc = subprocess.run(
        [sys.executable, '-c', 'import hide_modules; '
         "hide_modules.hide(['mmaction']); import mmauxskd"],
        capture_output=True, text=True, cwd=ROOT, env=dict(
            os.environ, PYTHONPATH=os.pathsep.join(
                [ROOT, osp.join(ROOT, 'tests')])))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        'ImportError: mmauxskd needs mmaction2 1.2.0, installed without its '
        'dependencies: pip install --no-deps -r requirements/mmaction2.txt')


def test_av_pin_admits_the_installed_release():
    from packaging.requirements import Requirement
    av, = [Requirement(r) for r in declared()['install_requires']
           if _name(r) == 'av']
    assert metadata.version('av') in av.specifier
    assert f'av=={metadata.version("av")}' in requirement_lines(
        'requirements/cpu.txt')


def _pypi_problem():
    try:
        urllib.request.urlopen('https://pypi.org/simple/av/', timeout=10)
    except Exception as err:  # offline, proxy, DNS
        return f'PyPI is unreachable ({type(err).__name__}: {err})'
    return None


def _pip(arch, args, report):
    """Start pip's resolver for ``arch`` (a dry run, nothing installed)."""
    platforms = [a for p in PLATFORMS[arch] for a in ('--platform', p)]
    cmd = [sys.executable, '-m', 'pip', 'install', '--dry-run',
           '--ignore-installed', '--only-binary=:all:', *platforms,
           '--python-version', PYTHON, '--implementation', 'cp',
           '--report', report, '--progress-bar', 'off', *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PIP_NO_INPUT='1'))


@pytest.fixture(scope='module')
def resolved(tmp_path_factory):
    """pip's answers for every architecture, its four dry runs at once:
    ``{arch: {'deps' | 'no-deps': (output, {name: version})}}``, and the
    seconds they took together."""
    problem = _pypi_problem()
    if problem:
        pytest.skip(problem)
    folder = tmp_path_factory.mktemp('pip')
    setup = declared()
    torch = [r for r in setup['install_requires'] if _name(r) == 'torch']
    rest = [r for r in setup['install_requires'] if _name(r) != 'torch']
    pinned_torch, = [r for r in requirement_lines('requirements/cpu.txt')
                     if _name(r) == 'torch']
    start = time.perf_counter()
    jobs = {}
    for arch in PLATFORMS:
        jobs[arch, 'deps'] = _pip(arch, rest, str(folder / f'{arch}-deps'))
        jobs[arch, 'no-deps'] = _pip(arch, [
            '--no-deps', '--use-feature=fast-deps', pinned_torch, *torch,
            *requirement_lines('requirements/mmaction2.txt')],
            str(folder / f'{arch}-no-deps'))
    out = {}
    for (arch, key), proc in jobs.items():
        text = proc.communicate(timeout=170)[0]
        assert proc.returncode == 0, f'{arch} {key}:\n{text[-3000:]}'
        with open(folder / f'{arch}-{key}') as f:
            out.setdefault(arch, {})[key] = (text, {
                i['metadata']['name'].lower(): i['metadata']['version']
                for i in json.load(f)['install']})
    return out, time.perf_counter() - start


@pytest.mark.parametrize('arch', sorted(PLATFORMS))
def test_pip_resolves_the_install_without_decord(arch, resolved):
    """`pip install -e .`'s requirements resolve to wheels for ``arch``
    (Python 3.11, glibc 2.28), decord among none of them; torch (installed
    first, the build for the machine) and mmaction2 (installed with
    --no-deps) are found as wheels, their metadata read by HTTP range
    requests rather than downloading torch whole."""
    answers, took = resolved
    deps, no_deps = answers[arch]['deps'][1], answers[arch]['no-deps'][1]
    assert 'decord' not in deps
    assert {'av', 'mmengine', 'mmcv-lite', 'numpy', 'opencv-python',
            'scipy'} <= set(deps)
    assert set(no_deps) == {'torch', 'mmaction2'}
    assert 'Downloading torch-' not in answers[arch]['no-deps'][0]  # 0.5 GB
    print(f'{arch}: resolved (both architectures) in {took:.1f} s: '
          f'{sorted(deps)}')

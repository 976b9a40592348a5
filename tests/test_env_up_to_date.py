"""tools/env_up_to_date.py: tools/setup_env.sh runs pip only where the
environment is not already what it would make."""
import json
import subprocess
import sys

from conftest import ROOT, load_tool

env = load_tool('env_up_to_date.py')


def test_requirements_are_checked_against_what_is_installed():
    installed = {'torch': '2.13.0', 'numpy': '2.4.6', 'pytest': '8.0'}
    lines = ['torch==2.13.0', 'numpy>=1.23', 'pytest>=7; extra == "tests"',
             'matplotlib; extra == "plots"', 'decord==0.6.0',
             'numpy<2', 'pywin32; sys_platform == "win32"']
    assert env.unsatisfied(lines, installed.get) == [
        'decord==0.6.0', 'numpy<2']


def test_a_changed_requirements_file_or_mode_needs_pip(tmp_path):
    (tmp_path / 'requirements').mkdir()
    (tmp_path / 'setup.py').write_text('install_requires = ["a"]\n')
    (tmp_path / 'requirements' / 'cpu.txt').write_text('torch==2.13.0\n')
    (tmp_path / 'requirements' / 'mmaction2.txt').write_text(
        'mmaction2==1.2.0\n')
    stamp = tmp_path / 'stamp'
    assert env.up_to_date('cpu', str(stamp), root=str(tmp_path)) == (
        False, 'not set up by setup_env.sh yet')
    stamp.write_text(env.stamp('cpu', root=str(tmp_path)))
    ok, why = env.up_to_date('cpu', str(stamp), root=str(tmp_path))
    assert 'changed' not in why  # the stamp matches; what is installed
    # decides (no mmauxskd installed editable from tmp_path)
    assert not ok and 'not installed editable from this clone' in why
    for change in ('cuda torch==2.13.0', 'setup.py', 'cpu.txt',
                   'mmaction2.txt'):
        stamp.write_text(env.stamp('cpu', root=str(tmp_path)))
        mode = change if change.startswith('cuda') else 'cpu'
        if change == 'setup.py':
            (tmp_path / 'setup.py').write_text('install_requires = ["b"]\n')
        if change.endswith('.txt'):
            (tmp_path / 'requirements' / change).write_text('torch\n')
        assert env.up_to_date(mode, str(stamp), root=str(tmp_path)) == (
            False, 'setup.py, the requirements or the mode changed')


def test_this_environment_when_stamped(tmp_path):
    """On the project's own environment, stamped: up to date exactly when
    mmauxskd is installed editable from this clone (a CI clone's .venv),
    and the command line says why not otherwise."""
    from importlib import metadata
    stamp = tmp_path / 'stamp'
    stamp.write_text(env.stamp('cpu'))
    editable = any(
        json.loads(d.read_text('direct_url.json') or '{}').get(
            'url', '').rstrip('/') == 'file://' + ROOT
        for d in metadata.distributions(name='mmauxskd'))
    proc = subprocess.run([sys.executable, f'{ROOT}/tools/env_up_to_date.py',
                           'cpu', str(stamp)], capture_output=True, text=True)
    assert proc.returncode == (0 if editable else 1), proc.stdout
    if not editable:
        assert 'not installed editable from this clone' in proc.stdout

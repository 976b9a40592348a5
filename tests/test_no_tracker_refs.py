"""The project's issue tracker is not public: no file is named after a
ticket, and no code, config, doc or test cites one ("issue 13", "#11") or,
in the user-facing docs, an internal commit ("at commit b4d7...").

Public upstream references stay allowed when they name the repository
(``open-mmlab/mmaction2#2714``, ``pytorch/pytorch#...``).
"""
import glob
import os
import os.path as osp
import re
import subprocess

import pytest

from conftest import ROOT

# "issue 13", "Issue #11", "issues 11", "issue-10", "issue_13", "issue11"
ISSUE = re.compile(r'(?i)(?<![a-z])issues?[\s_-]*(?:#|no\.?\s*)?\d+')
# a bare "#12" / "(#12)"; not "owner/repo#12", not a colour "#4477aa"
BARE = re.compile(r'(?<![\w/.\'"-])#\d{1,5}\b')
# a short or full commit hash: 7-40 hex digits with at least one letter and
# one digit (plain numbers and words like "decade" pass)
COMMIT = re.compile(r'\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b')

TEXT_GLOBS = ('README.md', 'model_zoo.md', 'docs/**/*.md', 'configs/**/*.py',
              'tools/**/*.py', 'tools/**/*.sh', 'mmauxskd/**/*.py',
              'tests/**/*.py')
USER_DOCS = ('README.md', 'model_zoo.md', 'docs/**/*.md')


SELF = 'tests/test_no_tracker_refs.py'  # its examples must match


def _files(globs):
    found = set()
    for pattern in globs:
        found.update(glob.glob(osp.join(ROOT, pattern), recursive=True))
    return sorted(rel for rel in (osp.relpath(p, ROOT) for p in found
                                  if osp.isfile(p)) if rel != SELF)


def _repo_paths():
    """Tracked files (git ls-files), or every file outside .git, build
    folders and data where there is no git checkout."""
    try:
        out = subprocess.run(['git', 'ls-files'], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        return out.splitlines()
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if not d.startswith('.')
                           and d not in ('data', 'work_dirs', '__pycache__')]
            paths += [osp.relpath(osp.join(dirpath, f), ROOT)
                      for f in filenames]
        return paths


def _hits(pattern, rel):
    with open(osp.join(ROOT, rel), encoding='utf-8', errors='replace') as f:
        return [f'{rel}:{n}: {line.strip()}'
                for n, line in enumerate(f, 1) if pattern.search(line)]


# the patterns themselves, so that a loosened one fails here first
@pytest.mark.parametrize('text', [
    'issue 13', 'Issue #11 on a GPU', '(issue 15)', "issue 10's targets",
    'its issue-10 target', 'issues 11 and 13', 'gpu_check_issue11.sh',
    'before_issue_13_loads', 'Issue11'])
def test_issue_pattern_catches(text):
    assert ISSUE.search(text)


@pytest.mark.parametrize('text', [
    'see (#12)', 'environment.md #7', 'fixed in #3.'])
def test_bare_number_pattern_catches(text):
    assert BARE.search(text)


@pytest.mark.parametrize('text', [
    'open-mmlab/mmaction2#2714', 'pytorch/pytorch#190489',
    "color=['#999999'] + ['#4477aa']", 'docs/benchmarks.md#auxskd',
    'the issues the users raise', 'breakage 7', '# 1. a numbered comment'])
def test_patterns_leave_public_and_plain_text(text):
    assert not ISSUE.search(text) and not BARE.search(text)


def test_commit_pattern():
    assert COMMIT.search('a fresh clone at commit b4d740b (')
    assert COMMIT.search('before 908fd9c;')
    assert not COMMIT.search('1234567 clips, a decade, facade, 2026-11-26')


def test_no_file_is_named_after_a_ticket():
    paths = _repo_paths()
    assert 'tools/train.py' in paths
    named = [p for p in paths if ISSUE.search(p)]
    assert not named, named


def test_no_ticket_numbers_in_code_configs_docs_and_tests():
    files = _files(TEXT_GLOBS)
    # the scope really reaches every tree, run_demo.py included
    for expected in ('README.md', 'model_zoo.md', 'docs/compatibility.md',
                     'tools/run_demo.py', 'tools/benchmarks/gpu_check.sh',
                     'mmauxskd/utils/compat.py', 'tests/conftest.py'):
        assert expected in files, expected
    assert any(f.startswith('configs/') for f in files)
    hits = [h for rel in files for h in _hits(ISSUE, rel) + _hits(BARE, rel)]
    assert not hits, '\n'.join(hits)


def test_no_commit_hashes_in_user_docs():
    files = _files(USER_DOCS)
    assert 'docs/benchmarks.md' in files
    hits = [h for rel in files for h in _hits(COMMIT, rel)]
    assert not hits, '\n'.join(hits)

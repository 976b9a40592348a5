"""tools/analysis/scale_check.py: its parts read their sizes from the paper
configs, run (at the CI sizes of ``--quick``, the same code), report each
part, and a part that finds a bug makes the tool exit non-zero."""
import json

from conftest import ROOT, load_tool, run_tool

TOOL = 'tools/analysis/scale_check.py'
# every part but the models, and two of the seven model parts (each costs
# ~5 s of CPU: two Runners; the others run in the full check)
RUN = ['queue-*', 'mlfo-*', 'vi2clr-*', 'dataset-*', 'model-vspp-demo',
       'model-auxskd-demo']


def test_parts_follow_the_paper_configs():
    tool = load_tool('analysis/scale_check.py')
    full = {p.name: p for p in tool.catalogue()}
    assert full['queue-auxskd'].sizes == '16384 x 128, 2 ranks x 15'
    assert full['queue-rspnet'].sizes == '16384 x 128, 2 ranks x 15'
    assert full['mlfo-semantic'].sizes == \
        '1000 prototypes, queue 1024, batch 4x64'
    assert full['mlfo-semantic'].kwargs['batch'] == 256
    assert full['vi2clr-clustering'].sizes == '240000 x 128'
    assert full['vi2clr-sampler'].kwargs['world'] == 8
    assert full['dataset-mlfo-k400'].kwargs['num'] == 240_000
    for method in tool.METHODS:  # a full-width model per backbone
        assert {f'model-{method}-r2plus1d-r10', f'model-{method}-r3d-18'} \
            <= set(full), method
    quick = {p.name: p for p in tool.catalogue(quick=True)}
    assert quick['queue-auxskd'].kwargs['size'] == 16384 // 64
    assert quick['vi2clr-clustering'].kwargs['num'] == 2400
    assert {n for n in quick if n.startswith('model-')} == {
        f'model-{m}-demo' for m in tool.METHODS}
    assert set(quick) - {n for n in quick if n.startswith('model-')} == \
        set(full) - {n for n in full if n.startswith('model-')}


def test_quick_run_reports_every_part(tmp_path):
    out = tmp_path / 'scale.json'
    proc = run_tool([TOOL, '--quick', '--markdown', '--out', str(out),
                     '--parts'] + RUN, timeout=300)
    report = json.loads(out.read_text())
    tool = load_tool('analysis/scale_check.py')
    expected = [p.name for p in tool.catalogue(quick=True, names=RUN)]
    assert len(expected) == 12
    assert [r['part'] for r in report['parts']] == expected
    for row in report['parts']:
        assert row['ok'] and row['seconds'] > 0 and row['peak_gib'] > 0.1
        assert f'| {row["part"]} |' in proc.stdout  # the markdown table
    rows = {r['part']: r for r in report['parts']}
    assert 'wrapped (256 = 8x30 + 16' in rows['queue-auxskd']['summary']
    assert rows['model-auxskd-demo']['ckpt_mib'] > 0
    assert f'{len(expected)} of {len(expected)} parts passed' in proc.stdout


# a queue that drops the keys which should wrap around to its start
BROKEN_QUEUE = """
import runpy, sys
from mmauxskd.models.utils import FeatureQueue

def enqueue(self, keys):
    ptr = int(self.ptr)
    n = min(len(keys), self.size - ptr)
    self.bank[ptr:ptr + n] = keys[:n].detach()
    self.ptr.fill_((ptr + len(keys)) % self.size)

FeatureQueue.enqueue = enqueue
sys.argv[0] = {tool!r}
runpy.run_path({tool!r}, run_name='__main__')
"""


def test_a_failing_part_fails_the_tool(tmp_path):
    code = BROKEN_QUEUE.format(tool=f'{ROOT}/{TOOL}')
    proc = run_tool(['-c', code, '--quick', '--parts', 'queue-auxskd',
                     'vi2clr-sampler'], timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'queue-auxskd: FAILED' in proc.stdout
    assert 'differ from the direct computation' in proc.stdout
    assert 'vi2clr-sampler: ok' in proc.stdout  # the others still run
    assert '1 of 2 parts passed; FAILED: queue-auxskd' in proc.stdout

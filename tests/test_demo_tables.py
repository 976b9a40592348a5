"""tools/analysis/demo_tables.py: model_zoo.md's demo tables are what the
tool prints from the checked-in summary, and ``--update`` records a run."""
import copy
import json
import os
import os.path as osp

import pytest

from conftest import ROOT, load_tool

demo_tables = load_tool('analysis/demo_tables.py')


def _model_zoo():
    with open(osp.join(ROOT, 'model_zoo.md'), encoding='utf-8') as f:
        return f.read()


def _record(path):
    with open(osp.join(ROOT, path), encoding='utf-8') as f:
        return json.load(f)


def test_model_zoo_tables_are_the_tools_output():
    text = _model_zoo()
    blocks = demo_tables.find_blocks(text)
    for name, (start, end, path) in blocks.items():  # every block's
        assert path.startswith('docs/demo_results/')
        if demo_tables.is_family_name(name):  # a family's block: its run
            assert demo_tables.family(_record(path)) == name
        assert text[start:end] == demo_tables.block(_record(path), path, name)
    start, end, path = demo_tables.find_block(text)
    # what the block holds: both tables, every default arm, the verdicts
    block = text[start:end]
    for needle in ('| Arm | Stage | Pace | Segment |', ' kNN (val) |',
                   '| Arm | Finetune, 10-clip top-1 |', '| auxSKD + VSPP |',
                   '| from scratch |', '`vspp > scratch (finetune'):
        assert needle in block, needle


def _doc(tmp_path):
    doc = tmp_path / 'zoo.md'
    doc.write_text('# Zoo\n\nbefore\n\n<!-- demo-tables: docs/demo_results/'
                   'old.json (generated) -->\nold tables\n'
                   '<!-- /demo-tables -->\n\nafter\n')
    return doc


def _summary(tmp_path, **fields):
    """The checked-in summary as a new run would write it."""
    record = copy.deepcopy(_record(demo_tables.find_block(_model_zoo())[2]))
    record.update(date='2027-01-02', cpu='Intel(R) Xeon(R) Processor',
                  cpu_count=2, **fields)
    path = tmp_path / 'demo_results.json'
    path.write_text(json.dumps(record, indent=2))
    return path, record


def test_update_records_the_run_and_rewrites_only_the_block(tmp_path):
    doc = _doc(tmp_path)
    summary, record = _summary(tmp_path, setup_seconds=61.0)
    rel = demo_tables.update(str(summary), str(doc), root=str(tmp_path))
    assert rel == 'docs/demo_results/2027-01-02_intel-xeon-2cpu.json'
    assert (tmp_path / rel).read_text() == summary.read_text()  # verbatim
    text = doc.read_text()
    assert text.startswith('# Zoo\n\nbefore\n\n<!-- demo-tables: ' + rel)
    assert text.endswith('<!-- /demo-tables -->\n\nafter\n')
    assert 'old tables' not in text
    start, end, path = demo_tables.find_block(text)
    assert text[start:end] == demo_tables.block(record, rel)
    assert '2027-01-02; Intel(R) Xeon(R) Processor (2 logical CPUs)' in text
    assert 'environment set-up 1 min 1 s' in text
    # the same run again: the record is there already, nothing changes
    assert demo_tables.update(str(summary), str(doc),
                              root=str(tmp_path)) == rel
    assert doc.read_text() == text


@pytest.mark.parametrize('case', ['quick', 'other contents', 'no markers',
                                  'no date'])
def test_update_refuses_and_writes_nothing(tmp_path, case):
    doc = _doc(tmp_path)
    summary, record = _summary(tmp_path, quick=case == 'quick')
    if case == 'other contents':
        os.makedirs(tmp_path / 'docs' / 'demo_results')
        (tmp_path / 'docs/demo_results/2027-01-02_intel-xeon-2cpu.json'
         ).write_text('{}')
    if case == 'no markers':
        doc.write_text('# Zoo\n')
    if case == 'no date':
        del record['date']
        summary.write_text(json.dumps(record))
    before = doc.read_text()
    records = sorted(os.listdir(tmp_path / 'docs' / 'demo_results')) \
        if osp.exists(tmp_path / 'docs' / 'demo_results') else []
    with pytest.raises(SystemExit):
        demo_tables.update(str(summary), str(doc), root=str(tmp_path))
    assert doc.read_text() == before
    after = sorted(os.listdir(tmp_path / 'docs' / 'demo_results')) \
        if osp.exists(tmp_path / 'docs' / 'demo_results') else []
    assert after == records


def test_update_rewrites_the_block_of_the_runs_family(tmp_path):
    """A run on another family of videos rewrites its own block and leaves
    the default run's; a family without a block is refused."""
    doc = _doc(tmp_path)
    doc.write_text(doc.read_text() + '\n<!-- demo-tables appearance: '
                   'docs/demo_results/none.json -->\n<!-- /demo-tables -->\n')
    before = doc.read_text()
    summary, record = _summary(tmp_path, data_family='appearance')
    rel = demo_tables.update(str(summary), str(doc), root=str(tmp_path))
    text = doc.read_text()
    default = demo_tables.find_block(before)
    assert text[:default[1]] == before[:default[1]]  # the default's block
    start, end, path = demo_tables.find_block(text, 'appearance')
    assert path == rel and text[start:end] == demo_tables.block(record, rel)
    summary, _ = _summary(tmp_path, data_family='slow')
    with pytest.raises(SystemExit, match='demo-tables slow'):
        demo_tables.update(str(summary), str(doc), name='slow-run',
                           root=str(tmp_path))
    assert doc.read_text() == text
    assert not (tmp_path / 'docs/demo_results/slow-run.json').exists()


def test_update_rewrites_a_named_block_for_a_second_run_of_a_family(tmp_path):
    """``--block NAME``: a second run on the default videos (e.g. every
    arm) gets its own block; the default run's stays; a family's name is
    refused as a block name."""
    doc = _doc(tmp_path)
    doc.write_text(doc.read_text() + '\n<!-- demo-tables all-arms: '
                   'docs/demo_results/none.json -->\n<!-- /demo-tables -->\n')
    before = doc.read_text()
    summary, record = _summary(tmp_path)
    rel = demo_tables.update(str(summary), str(doc), name='every-arm',
                             root=str(tmp_path), block_name='all-arms')
    text = doc.read_text()
    default = demo_tables.find_block(before)
    assert text[:default[1]] == before[:default[1]]
    start, end, path = demo_tables.find_block(text, 'all-arms')
    assert path == rel == 'docs/demo_results/every-arm.json'
    assert text[start:end] == demo_tables.block(record, rel, 'all-arms')
    assert text[start:end].startswith('<!-- demo-tables all-arms: ' + rel)
    for family in ('default', 'slow', 'slow+clutter'):
        with pytest.raises(SystemExit, match='family'):
            demo_tables.update(str(summary), str(doc), name='x',
                               root=str(tmp_path), block_name=family)
    assert doc.read_text() == text


def test_claims_added_after_a_run_are_weighed_on_its_summary(tmp_path):
    """A run of every arm recorded before the section 4.3 claims were
    added: the block weighs them on the summary as run_demo does, below the
    lines the run printed; a run that weighed them gets no such lines."""
    _, record = _summary(tmp_path)
    summary = record['summary']
    summary['vcop'] = copy.deepcopy(summary['vspp'])
    summary['auxskd_vcop'] = copy.deepcopy(summary['vspp'])
    summary['auxskd_vcop']['finetune_top1'] = [0.9, 0.01, [0.89, 0.9, 0.91]]
    block = demo_tables.render(record, 'docs/demo_results/x.json')
    head = '**Claims added to the demo after this run**'
    assert head in block
    later = block.split(head, 1)[1]
    assert '`auxskd_vcop > vcop (finetune, 10-clip top-1): 0.900 vs ' in later
    assert 'HOLDS' in later.split('auxskd_vcop > vcop (finetune')[1]
    assert 'auxskd_vspp > vspp' not in later  # the run printed those
    record['verdict'] = record['verdict'] + demo_tables.later_verdicts(record)
    assert head not in demo_tables.render(record, 'docs/demo_results/x.json')

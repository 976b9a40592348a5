"""Markdown tables of a demo run, from the JSON summary tools/run_demo.py
writes (``work_dirs/demo/demo_results.json``).

    python tools/analysis/demo_tables.py work_dirs/demo/demo_results.json
    python tools/analysis/demo_tables.py work_dirs/demo/demo_results.json \\
        --update model_zoo.md

The first prints the tables: each pretext stage's own task on held-out
clips (and, in summaries that have it, the instance readout of the
contrastive and distillation stages beside their random initialisation's;
a stage that did not learn is named with its seeds) and its kNN on the
validation split, the downstream readouts on the
test split (mean +- std over the seeds, then each seed's value) and the
verdict lines the run printed. ``--update`` records a run in a document: it
copies the summary to ``docs/demo_results/<date>_<machine>.json`` (named from
the summary; ``--name`` for a summary without date and CPU) and rewrites the
block between the document's markers::

    <!-- demo-tables: docs/demo_results/<name>.json (generated ...) -->
    ...
    <!-- /demo-tables -->

with the tables of that copy. A run on another family of demo videos
(``run_demo.py --data-family NAME``; the summary's ``data_family``) has a
block of its own, marked ``<!-- demo-tables NAME: ... -->``: ``--update``
rewrites the block of the summary's family, which the document must
already mark (an empty pair of markers will do). ``--block NAME`` rewrites
the block marked ``<!-- demo-tables NAME: ... -->`` instead, for a second
run on the same family (e.g. ``--arms all`` beside the default demo); NAME
must not be a family's name. It refuses a
``--quick`` summary (one seed is not the demo the tables report), an
existing record with other contents, and a document without the markers;
nothing is written then.
"""
import argparse
import json
import os
import os.path as osp
import re
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
RECORDS = 'docs/demo_results'
BEGIN = re.compile(r'<!-- demo-tables(?: ([\w+-]+))?: (\S+\.json)(?: .*?)?-->')
END = '<!-- /demo-tables -->'


def _labels():
    from run_demo import ARMS, DEMO
    return ARMS, DEMO['stage_labels']


def arm_label(arm):
    """``auxskd_vspp`` -> ``auxSKD + VSPP`` (from tools/demo_arms.yaml)."""
    arms, stages = _labels()
    if arm not in arms:
        return arm
    names = [stages.get(_stage(p), _stage(p)) for p in arms[arm]['pretexts']]
    label = ' + '.join(names) or 'from scratch'
    if arms[arm]['data'] == 'arrow':
        label += ' (arrow videos)'
    return label


def _stage(path):
    from run_demo import _stage_name
    return _stage_name(path)


def _cell(stat):
    """``[mean, std, values]`` -> ``0.560 +- 0.203 (0.27, 0.70, 0.71)``."""
    if stat is None:
        return '-'
    mean, std, values = stat
    per_seed = ', '.join(f'{v:.2f}' for v in values)
    return f'{mean:.3f} +- {std:.3f} ({per_seed})'


#: the instance readout's columns
INSTANCE_HEADS = {'instance.top1': 'Instance top-1',
                  'instance.random': 'Instance top-1, random init',
                  'instance.cos_gap': 'Views\' cosine gap',
                  'instance.random_cos_gap': 'Cosine gap, random init'}


def _mmss(seconds):
    return f'{int(seconds) // 60} min {int(seconds) % 60} s'


def run_line(record, path):
    """One sentence: which run, where, on what, how long."""
    parts = [f'`{record.get("command", "tools/run_demo.py")}`']
    if 'date' in record:
        parts.append(record['date'])
    if 'cpu' in record:
        parts.append(f'{record["cpu"]} ({record["cpu_count"]} logical '
                     'CPUs)')
    parts.append(f'device {record.get("device", "?")}')
    if 'torch' in record:
        parts.append(f'torch {record["torch"]}')
    summary = record['summary']
    seeds = next(iter(summary.values()))['seeds']
    parts.append(f'arms {", ".join(summary)} x seeds '
                 f'{", ".join(map(str, seeds))}')
    time = f'jobs {_mmss(record["seconds"])}'
    extra = [f'{name} {_mmss(record[key])}' for key, name in
             (('setup_seconds', 'environment set-up'),
              ('data_seconds', 'demo data')) if key in record]
    parts.append(time + (f' ({", ".join(extra)})' if extra else ''))
    missing = [word for key, word in (('date', 'date'), ('cpu', 'machine'))
               if key not in record]
    note = (f' (this summary records no {" or ".join(missing)}: it predates '
            'those fields)') if missing else ''
    return f'Run: {"; ".join(parts)}. Summary: [{path}]({path}){note}.'


def render(record, path):
    """The markdown block for a summary ``record`` stored at ``path``."""
    summary = record['summary']
    tasks = []
    for entry in summary.values():
        for stage in entry['stages']:
            for key in stage:
                if key.startswith('pretext.') and key not in tasks:
                    tasks.append(key)
    _, stage_labels = _labels()
    # the instance readout (summaries since it was added; older ones lack
    # it and their tables are as they were)
    instance = [k for k in INSTANCE_HEADS
                if any(k in st for e in summary.values()
                       for st in e['stages'])]
    head = ['Arm', 'Stage'] + [
        k.split('acc_', 1)[-1].replace('_', ' ').capitalize()
        for k in tasks] + [INSTANCE_HEADS[k] for k in instance] + \
        ['kNN (val)']
    rows = []
    for arm, entry in summary.items():
        if 'knn_val_random' in entry:
            rows.append([arm_label(arm), 'random initialisation'] +
                        ['-'] * (len(tasks) + len(instance)) +
                        [_cell(entry['knn_val_random'])])
        for stage in entry['stages']:
            label = stage_labels.get(stage['name'], stage['name'])
            if stage.get('did_not_learn'):
                label += (' (did not learn: seed ' +
                          ', '.join(stage['did_not_learn']) + ')')
            rows.append([arm_label(arm), label] +
                        [_cell(stage.get(k)) for k in tasks + instance] +
                        [_cell(stage['knn_val'])])
    lines = [run_line(record, path), '',
             '**Each pretext stage on its own task** (held-out clips of '
             'unseen videos) and kNN top-1 of its backbone on the validation '
             'split, mean +- std over the seeds (each seed):', '']
    if instance:
        lines[-2] = lines[-2][:-1] + (
            '; the instance readout of the contrastive and distillation '
            'stages: top-1 of a held-out video\'s view among all held-out '
            'videos\' other views, how much nearer a video\'s two views '
            'are than other videos\' (cosine gap), and both of the random '
            'initialisation:')
    lines += _table(head, rows)
    lines += ['', '**Downstream, test split**, mean +- std over the seeds '
              '(each seed):', '']
    marked = [arm for arm, e in summary.items()
              if e.get('after_stage_that_did_not_learn')]
    lines += _table(['Arm', 'Finetune, 10-clip top-1',
                     'kNN top-1, frozen backbone'],
                    [[arm_label(arm) + (
                        ' (!: seed ' + ', '.join(map(str, entry[
                            'after_stage_that_did_not_learn'])) + ')'
                        if arm in marked else ''),
                      _cell(entry.get('finetune_top1')),
                      _cell(entry.get('knn_top1'))]
                     for arm, entry in summary.items()])
    if marked:
        lines += ['', '!: those seeds\' figures start from a pretext stage '
                  'that stayed at chance on its own held-out task.']
    if record.get('verdict'):
        lines += ['', '**The verdict lines the run printed** (a claim holds '
                  'where the gap is larger than the spread over the seeds):',
                  '']
        lines += [f'* `{line}`' for line in record['verdict']]
    later = later_verdicts(record)
    if later:
        lines += ['', '**Claims added to the demo after this run**, weighed '
                  'by this tool on the run\'s summary as the run weighs '
                  'its own:', '']
        lines += [f'* `{line}`' for line in later]
    return '\n'.join(lines) + '\n'


def later_verdicts(record):
    """``run_demo.verdicts`` lines of the claims the run did not weigh
    (claims added since; none for a run that weighed them all)."""
    from run_demo import verdicts
    said = {line.split(' (', 1)[0] for line in record.get('verdict') or []}
    return [line for line in verdicts(record['summary'])
            if line.split(' (', 1)[0] not in said]


def _table(head, rows):
    return ['| ' + ' | '.join(head) + ' |',
            '|' + '---|' * len(head)] + ['| ' + ' | '.join(r) + ' |'
                                         for r in rows]


def family(record):
    """The family of demo videos a summary's run used (``default`` for
    summaries from before the field)."""
    return record.get('data_family') or 'default'


def is_family_name(name):
    """Whether a block's name is a family of demo videos (``default`` or
    parts of the generator's families joined by ``+``)."""
    from run_demo import _generator
    try:
        _generator().parse_family(name)
    except ValueError:
        return False
    return True


def block(record, path, name=None):
    """``render`` between the markers that ``--update`` looks for: named
    ``name``, or after the run's family of videos (no name for the
    default)."""
    name = name or family(record)
    key = '' if name == 'default' else f' {name}'
    return (f'<!-- demo-tables{key}: {path} (generated by '
            'tools/analysis/demo_tables.py from that summary; edit the tool '
            f'or rerun it, not this block) -->\n{render(record, path)}{END}')


def find_blocks(text):
    """``{family: (start, end, summary path)}`` of the marked blocks."""
    found = {}
    for begin in BEGIN.finditer(text):
        end = text.find(END, begin.end())
        if end >= 0:
            found.setdefault(begin.group(1) or 'default',
                             (begin.start(), end + len(END), begin.group(2)))
    return found


def find_block(text, name='default'):
    """(start, end, summary path) of the block of family ``name``."""
    found = find_blocks(text).get(name)
    if found is None:
        key = '' if name == 'default' else f' {name}'
        raise SystemExit(f'no block marked "<!-- demo-tables{key}: ... -->" '
                         f'... "{END}" to replace')
    return found


def record_name(record, name=None):
    """``<date>_<cpu>-<n>cpu`` for a summary, or ``name``."""
    if name:
        return name
    if 'date' not in record or 'cpu' not in record:
        raise SystemExit('this summary records no date or CPU (it predates '
                         'those fields): name its record with --name')
    cpu = re.sub(r'\(r\)|\(tm\)|cpu|processor|@.*', '',
                 record['cpu'].lower())
    cpu = re.sub(r'[^a-z0-9]+', '-', cpu).strip('-')
    return f'{record["date"]}_{cpu}-{record["cpu_count"]}cpu'


def update(summary_path, doc, name=None, root=ROOT, block_name=None):
    """Copy the summary into ``docs/demo_results/`` and rewrite ``doc``'s
    block (``block_name``, else the run's family's) with its tables;
    returns the record's path (relative to ``root``)."""
    with open(summary_path, encoding='utf-8') as f:
        text = f.read()
    record = json.loads(text)
    seeds = next(iter(record['summary'].values()))['seeds']
    if record.get('quick') or len(seeds) < 2:
        raise SystemExit(f'{summary_path} is a run of one seed (--quick?): '
                         'the tables report the full demo, not recorded')
    if block_name and is_family_name(block_name):
        raise SystemExit(f'--block {block_name}: that is the name of a family '
                         'of videos, whose block holds its own run')
    rel = f'{RECORDS}/{record_name(record, name)}.json'
    target = osp.join(root, rel)
    if osp.exists(target):
        with open(target, encoding='utf-8') as f:
            if f.read() != text:
                raise SystemExit(f'{rel} exists with other contents: give '
                                 'this run another --name')
    with open(doc, encoding='utf-8') as f:
        old = f.read()
    start, end, _ = find_block(old, block_name or family(record))
    os.makedirs(osp.dirname(target), exist_ok=True)
    with open(target, 'w', encoding='utf-8') as f:
        f.write(text)
    with open(doc, 'w', encoding='utf-8') as f:
        f.write(old[:start] + block(record, rel, block_name) + old[end:])
    return rel


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('summary', help='demo_results.json of a run')
    parser.add_argument('--update', metavar='DOC',
                        help='record the run and rewrite the marked block '
                        'of DOC (e.g. model_zoo.md)')
    parser.add_argument('--block', metavar='NAME',
                        help='with --update: the block marked "demo-tables '
                        'NAME" (default: the run\'s family\'s)')
    parser.add_argument('--name', help='the record\'s file name (no .json), '
                        'for a summary without date and CPU')
    args = parser.parse_args(argv)
    if args.update:
        rel = update(args.summary, args.update, args.name,
                     block_name=args.block)
        print(f'recorded {rel}; {args.update}: tables rewritten')
        return rel
    with open(args.summary, encoding='utf-8') as f:
        record = json.load(f)
    path = osp.relpath(osp.abspath(args.summary), ROOT)
    sys.stdout.write(render(record, path))
    return None


if __name__ == '__main__':
    main()

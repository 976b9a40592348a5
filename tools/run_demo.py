"""The main job on the bundled demo data, end to end, with seeds and a verdict.

Generates the demo videos (if missing; VCOP's arms pretrain on a second set
with an arrow of time, ``<data>_arrow``), then for each arm and seed runs the
arm's pretext stages (each initialised from the previous stage's backbone),
finetunes the stock Recognizer3D on the few labelled videos, and reads out:

* each pretext stage's own task on held-out unlabelled clips (VSPP pace and
  segment, VideoPace pace, VCOP order, RSPNet relative speed, MLFO
  instance discrimination), the instance readout of the contrastive and
  distillation stages (auxSKD, RSPNet, MLFO, Vi²CLR: does a held-out
  video's view find its other view among all held-out videos'?) beside
  the same readout of the stage's random initialisation, and a kNN
  readout of its backbone on the labelled validation split, beside the
  random initialisation's; a stage that stayed at chance on every
  held-out task gets a loud line, and the downstream figures after it are
  marked;
* on the test split: kNN top-1 of the frozen pretrained backbone, and the
  paper's 10-clip top-1 after finetuning.

It prints mean +- std over the seeds per arm, one verdict line per paper
claim (is the gap larger than the seed spread?), saves a plot and a JSON
summary, and says where the logs and checkpoints are::

    python tools/run_demo.py [--arms scratch vspp auxskd_vspp | all]
        [--seeds 0 1 2] [--jobs N] [--device auto|cpu|cuda] [--work-dir D]
    python tools/run_demo.py --quick     # a short first run (below)
    python tools/run_demo.py --dry-run   # the jobs it would run, and stop

``--quick`` runs the full demo's seed 0 of two arms (``quick`` in
``tools/demo_arms.yaml``: scratch and VSPP, the same jobs, recipes and
budgets) into ``work_dirs/demo_quick``: the readouts in miniature, and no
verdict (one seed has no spread).

Jobs (one arm and seed each) run side by side, ``--jobs`` at a time, each
running its stages in one process on mmengine's Runner with the configs
under ``configs/*/*demo*``; ``tools/demo_arms.yaml`` declares the arms
(each arm's pretext configs, in order, and the videos they pretrain
on). ``--data`` and ``--cfg-options`` point the same chain at other (e.g.
tiny) data; the tests run it that way.
``--data-family NAME`` runs it on another family of the generator's videos
(slower motion, clutter, scale classes, appearance cues; generated on first
use into ``data/demo-NAME``; docs/demo.md).
"""
import argparse
import copy
import gc
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools'))
DATA = osp.join(ROOT, 'data', 'demo')
# the arms, the finetuning and kNN configs and the claims, as data
ARMS_FILE = osp.join(ROOT, 'tools', 'demo_arms.yaml')


def _get(d, dotted):
    for part in dotted.split('.'):
        d = d[part]
    return d


def load_arms(path=ARMS_FILE):
    """The demo's declaration (``tools/demo_arms.yaml``): ``arms`` (arm ->
    ``description``, ``pretexts``: config paths run in order, ``data``:
    ``demo`` or ``arrow``), ``finetune``, ``knn``, ``default_arms``,
    ``default_seeds``, ``quick`` (``arms``, ``seeds``, ``work_dir`` of
    ``--quick``), ``claims`` and ``arrow_growth``."""
    import yaml
    with open(path, encoding='utf-8') as f:
        demo = yaml.safe_load(f)
    for arm, entry in demo['arms'].items():
        if entry['data'] not in ('demo', 'arrow'):
            raise ValueError(f'{path}: arm {arm}: data must be demo or '
                             f'arrow, not {entry["data"]!r}')
    for key in ('default_arms', 'quick.arms'):
        unknown = set(_get(demo, key)) - set(demo['arms'])
        if unknown:
            raise ValueError(f'{path}: {key} names unknown arms '
                             f'{sorted(unknown)}')
    return demo


DEMO = load_arms()
ARMS = DEMO['arms']
FINETUNE, KNN = DEMO['finetune'], DEMO['knn']
ARROW_GROWTH = DEMO['arrow_growth']
DEFAULT_ARMS = DEMO['default_arms']
DEFAULT_SEEDS = DEMO['default_seeds']
QUICK = DEMO['quick']
# the paper's claims on the default arms: (better, worse)
CLAIMS = [tuple(claim) for claim in DEMO['claims']]
READOUTS = (('finetune_top1', 'finetune, 10-clip top-1'),
            ('knn_top1', 'kNN top-1, frozen backbone'))


# ---------------------------------------------------------------- one job


def pretext_data(data, arm):
    """The folder an arm's pretext stages read their unlabelled videos
    from: ``<data>_arrow`` for the arms whose ``data`` is ``arrow`` (VCOP's),
    else ``data``."""
    return f'{data}_arrow' if ARMS[arm]['data'] == 'arrow' else data


def data_options(data, train_list, cfg):
    """Overrides pointing a demo config's loaders at the ``data`` folder.

    ``train_list``: the training loader's list (``unlabelled`` for a
    pretext, whose held-out split is ``pretext_val``; ``train`` for
    finetuning, validated on ``val``, tested on ``test``). Only loaders the
    config has are changed.
    """
    videos = osp.join(data, 'videos')

    def ann(name):
        return osp.join(data, f'demo_{name}_list_videos.txt')

    lists = dict(train=train_list, gallery='train', val='val', test='test')
    opts = {}
    for loader, name in lists.items():
        if not cfg.get(f'{loader}_dataloader'):
            continue
        dataset = cfg[f'{loader}_dataloader'].dataset
        keys = [f'{loader}_dataloader.dataset']
        if 'datasets' in dataset:  # pretext_val: one dataset per draw
            keys = [f'{keys[0]}.datasets.{i}'
                    for i in range(len(dataset.datasets))]
            name = 'pretext_val'
        for key in keys:
            opts[f'{key}.ann_file'] = ann(name)
            opts[f'{key}.data_prefix.video'] = videos
    return opts


class Job:
    """One arm and seed: stages, finetuning and readouts in this process."""

    def __init__(self, arm, seed, work_root, data=DATA, cfg_options=(),
                 status=None, pretext=None):
        self.arm, self.seed, self.data = arm, seed, data
        # unlabelled videos of the pretext stages (default: ``data``'s)
        self.pretext = pretext or data
        self.work_root = work_root
        self.work = osp.join(work_root, arm, f'seed{seed}')
        self.cfg_options = list(cfg_options)
        self.status = status
        self.result = dict(arm=arm, seed=seed, stages=[])
        self.trained = 0  # pretext stages trained so far (progress)

    def config(self, path, train_list, work_dir, pretrained=None):
        """A stage's config as ``tools/train.py`` builds it."""
        import train as train_tool
        from mmengine.config import Config
        args = train_tool.parse_args(
            [path, '--work-dir', work_dir, '--seed', str(self.seed)] +
            (['--pretrained', pretrained] if pretrained else []))
        cfg = train_tool.merge_args(Config.fromfile(path), args)
        data = self.pretext if train_list == 'unlabelled' else self.data
        cfg.merge_from_dict(data_options(data, train_list, cfg))
        if self.cfg_options:
            cfg.merge_from_dict(_parse_options(self.cfg_options))
        for hook in cfg.get('custom_hooks') or []:
            if hook.get('type') == 'ChanceCheckHook':
                # the job measures the random initialisation's readout
                # itself, once per config and seed (random_instance)
                hook['random_init'] = False
        cfg.experiment_name = (f'{self.arm}_seed{self.seed}_'
                               f'{osp.basename(work_dir)}')
        if self.status:
            cfg.setdefault('custom_hooks', [])
            cfg.custom_hooks.append(dict(type='ProgressFileHook',
                                         path=self.status,
                                         stage=osp.basename(work_dir)))
        return cfg

    def train(self, path, train_list, name, pretrained=None):
        from mmengine.runner import Runner
        from mmauxskd.cfg import check_clip_geometry
        work_dir = osp.join(self.work, name)
        cfg = self.config(path, train_list, work_dir, pretrained)
        check_clip_geometry(cfg)
        runner = Runner.from_cfg(cfg)
        runner.train()
        hub = runner.message_hub  # the validation at the end of the run
        metrics = {k: float(hub.get_scalar(k).current())
                   for k in hub.log_scalars if k.startswith('val/')}
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            return runner, f.read().strip(), metrics

    def phase(self, text):
        """Tell the parent what this job is doing between training stages
        (and how many of its stages are done, for the time left)."""
        if self.status:
            with open(self.status + '.tmp', 'w') as f:
                json.dump(dict(stage=text, time=time.time(),
                               stages_done=self.trained), f)
            os.replace(self.status + '.tmp', self.status)

    def knn(self, checkpoint, splits):
        """kNN top-1 of a frozen backbone for each split (``val``, ``test``)
        against the labelled training videos: one gallery pass."""
        from mmengine.config import Config
        from mmauxskd.evaluation import (build_feature_metrics,
                                         frozen_features, score_features)
        self.phase(f'kNN readout ({", ".join(splits)})')
        cfg = Config.fromfile(osp.join(ROOT, KNN))
        cfg.merge_from_dict(data_options(self.data, 'train', cfg))
        loaders = dict(gallery=cfg.gallery_dataloader)
        if checkpoint == 'none':
            # the random initialisation is the job's seed's, as the
            # finetuning's is, not whatever state the process started in
            from mmengine.runner import set_random_seed
            set_random_seed(self.seed)
        for split in splits:
            loaders[split] = copy.deepcopy(cfg.test_dataloader)
            loaders[split].dataset.ann_file = osp.join(
                self.data, f'demo_{split}_list_videos.txt')
        feats = frozen_features(cfg, checkpoint, loaders, progress=False)
        return {split: score_features(build_feature_metrics(cfg),
                                      feats['gallery'],
                                      feats[split])['knn/top1']
                for split in splits}

    def random_instance(self, path):
        """The instance readout of a stage config's random initialisation
        with this job's seed (``{'instance/top1': ..., 'instance/cos_gap':
        ..., ...}``), or None when the config has none. Computed once per
        config, pretext data and seed: jobs that share them (an RSPNet stage
        in two arms) read the first one's from ``<work root>/random_init/``.
        """
        from mmauxskd.evaluation import instance_parts, instance_readout
        cache = osp.join(self.work_root, 'random_init', '{}_{}_seed{}.json'
                         .format(osp.splitext(osp.basename(path))[0],
                                 osp.basename(self.pretext.rstrip('/')),
                                 self.seed))
        if osp.exists(cache):
            with open(cache) as f:
                return json.load(f)
        cfg = self.config(path, 'unlabelled',
                          osp.join(self.work, 'random_init'))
        if instance_parts(cfg)[1] is None:
            return None
        self.phase(f'random initialisation: instance readout '
                   f'({_stage_name(path)})')
        metrics = instance_readout(cfg, self.seed)
        os.makedirs(osp.dirname(cache), exist_ok=True)
        with open(cache + f'.{os.getpid()}', 'w') as f:
            json.dump(metrics, f)
        os.replace(cache + f'.{os.getpid()}', cache)
        return metrics

    def run(self):
        import torch
        from mmauxskd.evaluation import did_not_learn_line, stage_findings
        start, cpu = time.time(), time.process_time()
        stages = ARMS[self.arm]['pretexts']
        checkpoint = None
        if not stages:  # the random initialisation is this arm's backbone
            knn = self.knn('none', ['val', 'test'])
            self.result['knn_val_random'] = knn['val']
        for i, path in enumerate(stages):
            name = f'stage{i}_{_stage_name(path)}'
            # before the stage: the stage's runner seeds afresh
            random = self.random_instance(path)
            _, checkpoint, metrics = self.train(path, 'unlabelled', name,
                                                checkpoint)
            self.trained += 1
            gc.collect()  # the stage's runner: its loader workers exit
            pretext = {k.split('/')[-1]: v for k, v in metrics.items()
                       if '/pretext/acc_' in k}
            last = i == len(stages) - 1
            knn = self.knn(checkpoint, ['val', 'test'] if last else ['val'])
            stage = dict(config=path, name=_stage_name(path),
                         pretext=pretext, knn_val=knn['val'])
            instance = {k.split('/')[-1]: v for k, v in metrics.items()
                        if k.startswith('val/instance/')}
            if instance:
                stage['instance'] = dict(instance, **({} if random is None
                                                      else dict(
                    random=random['instance/top1'],
                    random_cos_gap=random.get('instance/cos_gap'))))
            findings = stage_findings(metrics, random=random)
            stage['did_not_learn'] = did_not_learn_line(
                f'{self.arm} seed {self.seed}, stage {i} '
                f'({_stage_name(path)})', findings)
            self.result['stages'].append(stage)
        # the downstream figures start from a stage that did not learn
        self.result['after_stage_that_did_not_learn'] = [
            s['name'] for s in self.result['stages'] if s['did_not_learn']]
        self.result['knn_top1'] = knn['test']
        runner, _, metrics = self.train(FINETUNE, 'train', 'finetune',
                                        checkpoint)
        self.result['finetune_val_top1'] = metrics.get('val/acc/top1')
        self.phase('10-clip test')
        test = runner.test()
        self.result['finetune_top1'] = float(test['acc/top1'])
        self.result['seconds'] = time.time() - start
        # this process's CPU time (not its loader workers'): on a busy
        # machine, what the job cost without the wait for a core
        self.result['cpu_seconds'] = time.process_time() - cpu
        self.result['device'] = ('cuda' if torch.cuda.is_available()
                                 else 'cpu')
        return self.result


def _stage_name(config):
    """The algorithm a config file is named after: ``{algorithm}[-variant]_
    {backbone}_...`` (``auxskd-vcop_r2plus1d-r10-w8_...`` -> ``auxskd``)."""
    return osp.basename(config).split('_')[0].split('-')[0]


def _parse_options(options):
    """``key=value`` strings as ``--cfg-options`` parses them."""
    from mmengine.config import DictAction
    namespace = argparse.Namespace()
    DictAction('--cfg-options', 'cfg_options')(None, namespace, list(options))
    return namespace.cfg_options


def _lighten_job_process():
    """Overhead a job repeats, made cheap; the computation is unchanged.

    * mmengine formats a run's config with yapf for the log, the config
      dump, the visualiser and every checkpoint's meta (0.1-0.6 s each;
      ~8 times per stage): the formatted text is memoised per text.
    * every dataset mmengine builds calls ``gc.collect()`` (~0.2 s over the
      ~340K objects of the imported libraries; ~20 datasets per job):
      those objects are frozen out of the collector after the imports.
    """
    import mmengine.config.config as mmengine_config
    import mmengine.runner  # noqa: F401  imported before the freeze
    format_code, memo = mmengine_config.FormatCode, {}

    def memoised(text, style_config=None, **kwargs):
        key = (text, repr(style_config), repr(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = format_code(text, style_config=style_config,
                                    **kwargs)
        return memo[key]

    mmengine_config.FormatCode = memoised
    gc.freeze()


def run_job(args):
    """``--job ARM SEED``: one job in this process; writes result.json."""
    import torch
    import mmauxskd  # noqa: F401  stack fixes, registrations
    if args.threads:
        torch.set_num_threads(args.threads)
    _lighten_job_process()
    arm, seed = args.job[0], int(args.job[1])
    data = osp.abspath(args.data)
    job = Job(arm, seed, args.work_dir, data, args.cfg_options,
              status=args.status, pretext=pretext_data(data, arm))
    result = job.run()
    with open(osp.join(job.work, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


# ---------------------------------------------------------------- parent


def run_jobs(jobs, args):
    """Run the (arm, seed) jobs, ``args.jobs`` at a time, with progress."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if args.device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    env.setdefault('OMP_NUM_THREADS', str(threads))
    pending, running, done = list(jobs), {}, {}
    start = last_print = time.time()
    last_line = None
    while pending or running:
        while pending and len(running) < args.jobs:
            arm, seed = pending.pop(0)
            work = osp.join(args.work_dir, arm, f'seed{seed}')
            os.makedirs(work, exist_ok=True)
            status = osp.join(work, 'status.json')
            if osp.exists(status):
                os.remove(status)
            cmd = [sys.executable, osp.abspath(__file__), '--job', arm,
                   str(seed), '--work-dir', args.work_dir, '--data',
                   args.data, '--status', status, '--threads', str(threads)]
            if args.cfg_options:
                cmd += ['--cfg-options'] + list(args.cfg_options)
            log = open(osp.join(work, 'job.log'), 'w')
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            running[(arm, seed)] = (proc, log, status, time.time())
            print(f'  started {arm} seed {seed} '
                  f'(log: {osp.relpath(log.name, ROOT)})', flush=True)
        time.sleep(1)
        for key, (proc, log, status, t0) in list(running.items()):
            if proc.poll() is None:
                continue
            log.close()
            del running[key]
            if proc.returncode != 0:
                for other, *_ in running.values():
                    other.kill()
                with open(log.name) as f:
                    tail = f.read()[-3000:]
                raise SystemExit(f'{key[0]} seed {key[1]} failed '
                                 f'({proc.returncode}), see {log.name}:\n'
                                 f'{tail}')
            with open(osp.join(osp.dirname(log.name), 'result.json')) as f:
                done[key] = json.load(f)
            print(f'  done {key[0]} seed {key[1]} in '
                  f'{time.time() - t0:.0f} s: ' + _short(done[key]),
                  flush=True)
        if running and time.time() - last_print >= args.progress_every:
            last_print = time.time()
            line = _progress(running, done, pending, start)
            if line != last_line:
                print('  ' + line, flush=True)
            last_line = line
    return [done[key] for key in jobs]


def _short(result):
    parts = [f'{s["name"]} ' + ' '.join(
        [f'{k[4:]} {v:.2f}' for k, v in s['pretext'].items()] +
        ([f'instance {s["instance"]["top1"]:.2f}'] if 'instance' in s
         else []) + (['DID NOT LEARN'] if s.get('did_not_learn') else []))
             for s in result['stages'] if s['pretext'] or 'instance' in s]
    parts.append(f'kNN {result["knn_top1"]:.3f}')
    parts.append(f'finetune {result["finetune_top1"]:.3f}')
    return ', '.join(parts)


#: a finetuning run costs about this share of a pretext stage (steps x clips)
FINETUNE_COST = 0.3


def _job_cost(arm):
    return len(ARMS[arm]['pretexts']) + FINETUNE_COST


def _job_done(arm, status):
    """How much of a job's cost is done, from its status file."""
    stage, n = status.get('stage', ''), len(ARMS[arm]['pretexts'])
    frac = status['iter'] / max(status['max_iters'], 1) \
        if 'iter' in status else 0.0
    if stage.startswith('stage'):
        return int(stage[5:].split('_')[0]) + frac
    if stage == 'finetune':
        return n + FINETUNE_COST * frac
    if stage == '10-clip test':
        return n + FINETUNE_COST
    return status.get('stages_done', 0)  # a readout between stages


def _progress(running, done, pending, start):
    states, cost_done = [], sum(_job_cost(arm) for arm, _ in done)
    for (arm, seed), (_, _, status, _) in running.items():
        try:
            with open(status) as f:
                s = json.load(f)
        except (OSError, ValueError):
            s = dict(stage='starting')
        states.append(f'{arm}/s{seed} {s["stage"]}' + (
            f' {s["iter"]}/{s["max_iters"]} it' if 'iter' in s else ''))
        cost_done += _job_done(arm, s)
    total = sum(_job_cost(arm) for arm, _ in
                list(done) + list(running) + list(pending))
    elapsed = time.time() - start
    jobs = len(done) + len(running) + len(pending)
    line = (f'[{_mmss(elapsed)}] {len(done)}/{jobs} jobs done; '
            + '; '.join(states))
    if cost_done > 0.05 * total:
        line += f'; ~{_mmss(elapsed * (total - cost_done) / cost_done)} left'
    return line


def _mmss(seconds):
    return f'{int(seconds) // 60}:{int(seconds) % 60:02d}'


def summarise(results, arms):
    """Per arm: mean and std over seeds of every readout."""
    summary = {}
    for arm in arms:
        rows = [r for r in results if r['arm'] == arm]
        entry = dict(seeds=[r['seed'] for r in rows])
        for key, _ in READOUTS + (('finetune_val_top1', ''),
                                  ('knn_val_random', '')):
            values = [r[key] for r in rows if r.get(key) is not None]
            if values:
                entry[key] = (float(np.mean(values)), float(np.std(values)),
                              values)
        stages = []
        for i, stage in enumerate(rows[0]['stages']):
            item = dict(name=stage['name'])
            keys = ['knn_val'] + [f'pretext.{k}' for k in stage['pretext']]
            if 'instance' in stage:  # the instance readout, random init
                keys += [f'instance.{k}' for k in (
                    'top1', 'random', 'cos_gap', 'random_cos_gap')
                    if stage['instance'].get(k) is not None]
                item.update({f'instance.{k}': stage['instance'][k]
                             for k in ('chance', 'videos')})
            for key in keys:
                values = [_get(r['stages'][i], key) for r in rows]
                item[key] = (float(np.mean(values)), float(np.std(values)),
                             values)
            lines = {r['seed']: r['stages'][i].get('did_not_learn')
                     for r in rows}
            if any(lines.values()):  # the seeds where it stayed at chance
                item['did_not_learn'] = {str(seed): line for seed, line
                                         in lines.items() if line}
            stages.append(item)
        entry['stages'] = stages
        after = [r['seed'] for r in rows
                 if r.get('after_stage_that_did_not_learn')]
        if after:  # those seeds' downstream figures
            entry['after_stage_that_did_not_learn'] = after
        summary[arm] = entry
    return summary


def verdicts(summary):
    """One line per paper claim and readout: the gap and the seed spread."""
    lines = []
    for better, worse in CLAIMS:
        if better not in summary or worse not in summary:
            continue
        for key, label in READOUTS:
            (mb, sb, vb), (mw, sw, vw) = summary[better][key], \
                summary[worse][key]
            gap, spread = mb - mw, max(sb, sw)
            if len(vb) < 2:
                holds = 'one seed: no spread to compare'
            elif gap > spread:
                holds = 'HOLDS, gap larger than the seed spread'
            elif gap > 0:
                holds = 'not shown: gap within the seed spread'
            else:
                holds = 'NOT REPRODUCED'
            lines.append(f'{better} > {worse} ({label}): {mb:.3f} vs '
                         f'{mw:.3f}, gap {gap:+.3f}, spread {spread:.3f}: '
                         f'{holds}')
    return lines


def plot(summary, path):
    """Bar chart of the readouts per arm, error bars = std over seeds."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    arms = list(summary)
    fig, axes = plt.subplots(1, len(READOUTS), figsize=(5 * len(READOUTS),
                                                         3.6))
    for ax, (key, label) in zip(axes, READOUTS):
        means = [summary[a][key][0] for a in arms]
        stds = [summary[a][key][1] for a in arms]
        ax.bar(range(len(arms)), means, yerr=stds, capsize=4,
               color=['#999999'] + ['#4477aa'] * (len(arms) - 1))
        for i, arm in enumerate(arms):
            values = summary[arm][key][2]
            ax.plot([i] * len(values), values, 'k.', alpha=0.6)
        ax.axhline(0.25, color='r', lw=0.8, ls='--', label='chance')
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels(arms, rotation=20)
        ax.set_ylim(0, 1)
        ax.set_title(label)
        ax.legend(loc='lower right')
    seeds = len(next(iter(summary.values()))['seeds'])
    fig.suptitle(f'demo test split, mean +- std over {seeds} seeds')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def report(summary, data, elapsed):
    """Print the per-arm table and the verdict; returns the verdict lines."""
    print(f'\nDemo results ({data}: test split of '
          f'{_count(data, "test")} videos, 4 classes, chance 0.25; '
          f'{_count(data, "train")} labelled training videos; mean +- std '
          f'over seeds {summary[next(iter(summary))]["seeds"]}; '
          f'{_mmss(elapsed)} min):')
    random = [e['knn_val_random'] for e in summary.values()
              if 'knn_val_random' in e]
    print('  pretext stages, on held-out clips (own task; instance '
          'readout: top-1 of a video\'s view among all held-out videos\' '
          'other views, and how much nearer a video\'s two views are than '
          'other videos\' (cosine gap)) and kNN top-1 on the validation '
          'split' +
          (f' (random initialisation: {_pm(random[0])})' if random else '')
          + ':')
    arrow = [arm for arm in summary if ARMS[arm]['data'] == 'arrow']
    if arrow:
        print(f'  ({", ".join(arrow)}: pretext stages on '
              f'{pretext_data(data, arrow[0])}, the same generator with an '
              f'arrow of time (--growth {ARROW_GROWTH}), where the order of '
              'clips is defined)')
    for arm, entry in summary.items():
        for stage in entry['stages']:
            print(f'    {arm:<18} {stage["name"]:<10} {stage_line(stage)}')
    stalled = [(arm, seed, line) for arm, entry in summary.items()
               for stage in entry['stages']
               for seed, line in stage.get('did_not_learn', {}).items()]
    for arm, seed, line in stalled:
        print('  ' + line)
    print('  downstream, test split:')
    print(f'    {"arm":<18} {"finetune 10-clip top-1":<24} kNN top-1 '
          '(frozen)')
    for arm, entry in summary.items():
        mark = ('  ! after a stage that did not learn: seed ' +
                ', '.join(map(str, entry['after_stage_that_did_not_learn']))
                if entry.get('after_stage_that_did_not_learn') else '')
        print(f'    {arm:<18} {_pm(entry["finetune_top1"]):<24} '
              f'{_pm(entry["knn_top1"]):<16}{mark}')
    if stalled:
        print('  (!: those seeds\' finetune and kNN figures start from a '
              'pretext stage that stayed at chance on its own held-out '
              'task, a reshaped random initialisation)')
    lines = verdicts(summary)
    one_seed = len(summary[next(iter(summary))]['seeds']) < 2
    if lines and one_seed:
        print('  no verdict: one seed has no spread to weigh a gap against; '
              'the gaps:')
    elif lines:
        print('  verdict (paper: auxSKD + VSPP > VSPP > scratch; auxSKD + X '
              '> X for VideoPace, VCOP, RSPNet):')
    for line in lines:
        print('    ' + line)
    return lines


def _pm(stat):
    return f'{stat[0]:.3f} +- {stat[1]:.3f}'


def _ties(stat):
    """Whether the per-seed values (two or more) are exactly equal."""
    return len(stat[2]) > 1 and len(set(stat[2])) == 1


def stage_line(stage):
    """A pretext stage's figures for the table: its own held-out task, its
    instance readout beside the random initialisation's (the contrastive
    and distillation stages), and kNN top-1 on the validation split; the
    figures whose per-seed values tie exactly are named (a tie is what a
    near-uniform vote or a collapsed embedding gives, not a spread of 0)."""
    own = ', '.join(f'{k.split(".acc_")[-1]} {_pm(v)}'
                    for k, v in stage.items() if k.startswith('pretext.'))
    parts = [own] if own else []
    if 'instance.top1' in stage:
        random = (f'random init {_pm(stage["instance.random"])}, '
                  if 'instance.random' in stage else '')
        parts.append(f'instance top-1 {_pm(stage["instance.top1"])} '
                     f'({random}chance {stage["instance.chance"]:.3f}, '
                     f'{int(stage["instance.videos"]):d} videos)')
    if 'instance.cos_gap' in stage:
        random = (f' (random init {_pm(stage["instance.random_cos_gap"])})'
                  if 'instance.random_cos_gap' in stage else '')
        parts.append(f'views\' cosine gap {_pm(stage["instance.cos_gap"])}'
                     + random)
    text = '; '.join(parts) or '(no own-task accuracy)'
    line = f'{text:<40} kNN {_pm(stage["knn_val"])}'
    names = {'knn_val': 'kNN', 'instance.top1': 'instance top-1',
             'instance.random': 'instance random init',
             'instance.cos_gap': 'cosine gap',
             'instance.random_cos_gap': 'cosine gap random init'}
    tied = [names.get(k, k.split('.acc_')[-1]) for k, v in stage.items()
            if (k in names or k.startswith('pretext.')) and _ties(v)]
    if tied:
        line += (f'  (the {len(stage["knn_val"][2])} seeds tie exactly: '
                 f'{", ".join(tied)})')
    return line


def _generator():
    """tools/data/make_demo_data.py as a module (its families)."""
    folder = osp.join(ROOT, 'tools', 'data')
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import make_demo_data
    return make_demo_data


def data_folder(data=None, family=None):
    """``(folder, family)`` of a run: ``--data`` (absolute), by default
    ``data/demo`` or, with ``--data-family NAME``, ``data/demo-NAME``
    (``NAME`` spelled canonically; ``default`` is ``data/demo``)."""
    if family is not None:
        try:
            family = _generator().family_name(family)
        except ValueError as err:
            raise SystemExit(f'--data-family: {err}')
    if data is None:
        data = DATA if family in (None, 'default') else f'{DATA}-{family}'
    return osp.abspath(data), family


def make_data(folder, marker, *options):
    """Generate demo videos in ``folder`` unless its ``marker`` list is
    there (``options``: more make_demo_data.py arguments). With ``--family
    NAME`` among them, a folder already there must hold that family (its
    ``family.json``; none: the default family), else the run stops rather
    than read other videos under that name."""
    if osp.exists(osp.join(folder, marker)):
        if '--family' in options:
            gen = _generator()
            wanted = gen.family_name(options[options.index('--family') + 1])
            found = gen.folder_family(folder)
            if found != wanted:
                raise SystemExit(
                    f'{folder} holds videos of the {found} family, not '
                    f'{wanted}: give another --data, or move that folder')
        return
    print(f'generating the demo videos in {folder}', flush=True)
    subprocess.run([sys.executable, 'tools/data/make_demo_data.py', '--out',
                    folder, *options], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _count(data, split):
    with open(osp.join(data, f'demo_{split}_list_videos.txt')) as f:
        return sum(1 for line in f if line.strip())


def prune(work_dir, keep):
    """Leave the last checkpoint of each stage (or nothing with
    ``keep='none'``) and drop the backbone extracts --pretrained wrote."""
    for path, _, files in os.walk(work_dir):
        for name in files:
            if name.startswith('pretrained_') and name.endswith('.pth'):
                os.remove(osp.join(path, name))
            elif keep == 'none' and name.endswith('.pth'):
                os.remove(osp.join(path, name))


def _size(path):
    return sum(osp.getsize(osp.join(p, f)) for p, _, fs in os.walk(path)
               for f in fs)


def plan(args):
    """What a run does, before it does anything: ``arms``, ``seeds``, the
    ``jobs`` ((arm, seed), in the order they start: longest first, so that
    the cores do not end with one job alone), each job's ``stages`` (the
    pretext configs, then finetuning and the 10-clip test) and the
    ``work_dir``. ``--quick`` takes arms, seeds and work dir from
    ``quick`` in ``tools/demo_arms.yaml``."""
    if args.quick and (args.arms or args.seeds):
        raise SystemExit('--quick runs its own arms and seeds '
                         f'({" ".join(QUICK["arms"])}; seed '
                         f'{" ".join(map(str, QUICK["seeds"]))}): drop '
                         '--arms / --seeds, or drop --quick')
    arms = QUICK['arms'] if args.quick else args.arms or DEFAULT_ARMS
    arms = list(ARMS) if 'all' in arms else list(arms)
    seeds = list(QUICK['seeds'] if args.quick else args.seeds or
                 DEFAULT_SEEDS)
    work_dir = osp.abspath(args.work_dir or osp.join(
        ROOT, QUICK['work_dir'] if args.quick else 'work_dirs/demo'))
    jobs = sorted(((arm, seed) for seed in seeds for arm in arms),
                  key=lambda job: -_job_cost(job[0]))
    stages = {arm: ARMS[arm]['pretexts'] + [FINETUNE, '10-clip test']
              for arm in arms}
    return dict(arms=arms, seeds=seeds, jobs=jobs, stages=stages,
                work_dir=work_dir, quick=bool(args.quick))


def print_plan(the_plan):
    n = len(the_plan['seeds'])
    print(f'{len(the_plan["jobs"])} jobs ({len(the_plan["arms"])} arms x '
          f'{n} seed{"s" * (n != 1)}), in this order; work dir '
          f'{the_plan["work_dir"]}')
    for arm, seed in the_plan['jobs']:
        print(f'  {arm} seed {seed}: ' + ' -> '.join(
            osp.basename(s) for s in the_plan['stages'][arm]))


def quick_note(arms, seeds):
    """What ``--quick`` showed, and what it cannot."""
    return [
        f'This was the quick run: seed {" ".join(map(str, seeds))} of the '
        f'{" and ".join(arms)} arms, the same jobs (recipes, budgets) as the full '
        'demo\'s, so the same figures as those jobs of the full demo.',
        'It shows the readouts in miniature: each pretext stage\'s own '
        'task on held-out clips (chance 0.25), and the finetuned 10-clip '
        'top-1 and kNN of its backbone beside scratch\'s.',
        'It cannot say whether VSPP beats scratch: one seed has no spread '
        'to weigh a gap against, and at this size a seed may leave a stage '
        'at chance (docs/small_data.md).',
        'The full demo, bash tools/demo.sh: 3 arms (auxSKD + VSPP among '
        'them) x 3 seeds and a verdict line per paper claim.']


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--arms', nargs='+',
                        choices=list(ARMS) + ['all'],
                        help=f'default: {" ".join(DEFAULT_ARMS)}')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help=f'default: {" ".join(map(str, DEFAULT_SEEDS))}')
    parser.add_argument('--quick', action='store_true',
                        help=f'a short first run: seed '
                        f'{" ".join(map(str, QUICK["seeds"]))} of '
                        f'{" ".join(QUICK["arms"])}, no verdict '
                        f'(work dir {QUICK["work_dir"]})')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the jobs and their stages, run nothing')
    parser.add_argument('--jobs', type=int, help='jobs side by side '
                        '(default: 2 on CPU, 4 on a GPU)')
    parser.add_argument('--device', choices=['auto', 'cpu', 'cuda'],
                        default='auto', help='auto: a GPU if there is one')
    parser.add_argument('--work-dir', help='default: work_dirs/demo '
                        f'({QUICK["work_dir"]} with --quick)')
    parser.add_argument('--data',
                        help='demo data folder (generated if missing; '
                        'default data/demo, or data/demo-NAME with '
                        '--data-family NAME)')
    parser.add_argument('--data-family', metavar='NAME',
                        help='videos of this family of the demo generator '
                        '(tools/data/make_demo_data.py --family: slow, '
                        'clutter, scale, appearance, joined with +; '
                        'docs/demo.md)')
    parser.add_argument('--keep', choices=['last', 'none'], default='last',
                        help='checkpoints to keep: the last of each stage '
                        '(default) or none')
    parser.add_argument('--progress-every', type=float, default=20,
                        help='seconds between progress lines')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides for every stage')
    parser.add_argument('--job', nargs=2, help=argparse.SUPPRESS)
    parser.add_argument('--status', help=argparse.SUPPRESS)
    parser.add_argument('--threads', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.data, args.data_family = data_folder(args.data, args.data_family)
    if args.job:
        args.work_dir = osp.abspath(args.work_dir)
        return run_job(args)
    the_plan = plan(args)
    args.work_dir = the_plan['work_dir']
    if args.dry_run:
        print_plan(the_plan)
        return the_plan

    import torch
    if args.device == 'auto':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: no CUDA device is visible')
    args.jobs = args.jobs or (4 if args.device == 'cuda' else
                              max(1, min(2, os.cpu_count() or 1)))
    arms, seeds = the_plan['arms'], the_plan['seeds']
    os.makedirs(args.work_dir, exist_ok=True)
    data_start = time.time()
    family = (['--family', args.data_family] if args.data_family else [])
    make_data(args.data, 'demo_test_list_videos.txt', *family)
    arrow = [arm for arm in arms if ARMS[arm]['data'] == 'arrow']
    if arrow:
        make_data(pretext_data(args.data, arrow[0]),
                  'demo_unlabelled_list_videos.txt', '--growth',
                  str(ARROW_GROWTH), '--num-train', '0', '--num-test', '0',
                  '--num-val', '0', *family)
    start = time.time()
    times = dict(data_seconds=start - data_start)
    if os.environ.get('MMAUXSKD_SETUP_SECONDS'):  # set by tools/demo.sh
        times['setup_seconds'] = float(os.environ['MMAUXSKD_SETUP_SECONDS'])
    print(f'{len(arms)} arms x {len(seeds)} seed{"s" * (len(seeds) != 1)} '
          f'on {args.device}, '
          f'{args.jobs} jobs at a time; work dir {args.work_dir}'
          + (' (--quick: a short first run, not the full demo)'
             if the_plan['quick'] else ''), flush=True)
    for arm in arms:
        print(f'  {arm}: {ARMS[arm]["description"]}')
    # yapf (mmengine prints configs with it) writes its grammar cache on
    # first import: in a fresh venv, jobs importing it at once raced on
    # that file (EOFError: Ran out of input); import it here first
    import yapf.yapflib.yapf_api  # noqa: F401
    results = run_jobs(the_plan['jobs'], args)
    summary = summarise(results, arms)
    elapsed = time.time() - start
    lines = report(summary, args.data, elapsed)
    note = quick_note(arms, seeds) if the_plan['quick'] else []
    if note:
        print('\n' + '\n'.join(note))
    plot_path = osp.join(args.work_dir, 'demo_results.png')
    plot(summary, plot_path)
    summary_path = osp.join(args.work_dir, 'demo_results.json')
    with open(summary_path, 'w') as f:
        json.dump(dict(summary=summary, results=results, verdict=lines,
                       seconds=elapsed, device=args.device,
                       data_family=args.data_family or 'default',
                       quick=the_plan['quick'], arms=arms, seeds=seeds,
                       cfg_options=list(args.cfg_options),
                       command=' '.join(['tools/run_demo.py'] +
                                        list(sys.argv[1:] if argv is None
                                             else argv)),
                       **times, **machine()), f, indent=2)
    prune(args.work_dir, args.keep)
    print(f'\nplot: {plot_path}\nsummary: {summary_path}\nlogs and '
          f'checkpoints: {args.work_dir}/<arm>/seed<N>/ (job.log; one folder '
          f'per stage with its log and last checkpoint; '
          f'{_size(args.work_dir) / 2**20:.0f} MB in all)')
    spent = [f'{_mmss(times[k])} {name}' for k, name in
             (('setup_seconds', 'environment set-up'),
              ('data_seconds', 'demo data')) if k in times]
    total = elapsed + sum(times.values())
    print(f'time: {_mmss(total)} in all (' + ', '.join(
        spent + [f'{_mmss(elapsed)} jobs']) + ')')
    return summary


def machine():
    """What ran the demo, for the summary: date, CPU, cores, versions."""
    import platform
    import torch
    from mmauxskd.utils.host import cpu_model
    info = dict(date=time.strftime('%Y-%m-%d'), cpu=cpu_model(),
                cpu_count=os.cpu_count(), torch=torch.__version__,
                python=platform.python_version())
    if torch.cuda.is_available():
        info['gpu'] = torch.cuda.get_device_name(0)
    return info

if __name__ == '__main__':
    main()

"""Did a pretext stage learn its own task? Its held-out figures against
chance, within a binomial margin.

A stage that ends at chance hands the next stage (or finetuning) a reshaped
random initialisation, and the downstream figures that follow say nothing
about the method. :func:`stage_findings` reads a stage's last validation
metrics (``pretext/acc_<task>`` with ``chance_<task>`` and
``count_<task>`` from :class:`PretextAccMetric`; ``instance/top1`` with
``chance`` and ``pairs`` from :class:`InstanceRetrievalMetric`) and says,
per task, whether the figure is within the margin of its baseline;
:func:`did_not_learn_line` is the loud line that ``tools/train.py`` (the
``ChanceCheckHook``), ``tools/run_demo.py`` and
``tools/analysis/sweep.py`` print.

The margin: a stage that learned nothing scores, on ``n`` independent
held-out samples, a binomial proportion around its baseline ``p`` with
standard deviation ``sqrt(p (1 - p) / n)``; the figure is *at chance* when
it is below ``p + Z`` of those (``Z`` = :data:`Z`, 2: a stage at chance
exceeds the margin by luck about 2% of the time). For the demo's 32
held-out videos x 8 draws (256 clips) at chance 0.25 that is 0.304; for
the instance readout's 32 videos x 4 draws (128 video pairs) at chance
1/32, 0.062. The instance readout's ``n`` is its pairs, not its ``2 N``
queries, since the two queries of one pair are not independent (a
conservative choice: the margin is that of the larger spread). The
baseline is chance, or, where it is known and higher (the demo measures
it), the same readout of the random initialisation: a contrastive readout
of an untrained network is well above chance on videos that differ in
colour (beside one at 0.78, 128 pairs need 0.853).

The instance readout's top-1 is a strict figure: a view must beat all 31
other videos'. At the demo's scale a trained auxSKD student kept its
random initialisation's top-1 (0.062-0.070 against 0.062 over 128 pairs,
three seeds) while it clearly opened the views' cosine gap (0.069-0.077
against 0.002). Where the random initialisation's readout is known, the
instance task therefore also counts as learned when its cosine gap
(``instance/cos_gap``) exceeds the random initialisation's by ``Z``
standard errors of the stage's own pairs (``instance/cos_gap_se``).
"""
import math

__all__ = ['Z', 'chance_margin', 'at_chance', 'stage_findings',
           'did_not_learn', 'did_not_learn_line', 'strip_val_prefix']

#: binomial standard deviations above the baseline that a figure must reach
#: to count as learned (see the module docstring)
Z = 2.0


def chance_margin(p, n, z=Z):
    """``z`` binomial standard deviations of a proportion ``p`` over ``n``
    samples, ``z * sqrt(p (1 - p) / n)``; e.g. 0.054 for ``p`` 0.25 and
    ``n`` 256."""
    if n < 1:
        raise ValueError(f'chance_margin: n must be >= 1, got {n}')
    return z * math.sqrt(p * (1 - p) / n)


def at_chance(value, baseline, n, z=Z):
    """Whether ``value`` is within the margin of ``baseline`` (a proportion
    over ``n`` samples): ``value < baseline + chance_margin(baseline, n)``;
    e.g. ``at_chance(0.30, 0.25, 256)`` is True, ``at_chance(0.31, 0.25,
    256)`` False."""
    return value < baseline + chance_margin(baseline, n, z)


def strip_val_prefix(metrics):
    """``{'val/pretext/acc_pace': x}`` -> ``{'pretext/acc_pace': x}``
    (the message hub's keys -> the metric's own)."""
    return {k[4:] if k.startswith('val/') else k: v
            for k, v in metrics.items()}


def stage_findings(metrics, random=None, z=Z):
    """Per held-out task of a stage: its figure, baseline, margin.

    Args:
        metrics (dict): a validation's metrics (``val/`` prefixes allowed).
            A task is judged where its chance and sample count are there:
            ``pretext/acc_<task>`` with ``pretext/chance_<task>`` and
            ``pretext/count_<task>``; ``instance/top1`` with
            ``instance/chance`` and ``instance/pairs``.
        random (dict, optional): the same readouts of the random
            initialisation (e.g. ``{'instance/top1': 0.4}``): a task's
            baseline is the larger of chance and its random figure.

    Returns:
        list[dict]: per task ``task`` (the pretext task's name, or
        ``'instance top-1'``), ``value``, ``chance``, ``random``
        (or None), ``baseline``, ``n``, ``needs`` (the figure to exceed)
        and ``at_chance``.
    """
    metrics = strip_val_prefix(metrics)
    random = strip_val_prefix(random or {})
    tasks = [(k, 'pretext/chance_' + k[len('pretext/acc_'):],
              'pretext/count_' + k[len('pretext/acc_'):])
             for k in sorted(metrics) if k.startswith('pretext/acc_')]
    tasks.append(('instance/top1', 'instance/chance', 'instance/pairs'))
    findings = []
    for key, chance_key, count_key in tasks:
        if key not in metrics or chance_key not in metrics or \
                count_key not in metrics or not metrics[count_key]:
            continue
        value, chance = float(metrics[key]), float(metrics[chance_key])
        if math.isnan(value):
            continue
        rand = random.get(key)
        baseline = max(chance, rand) if rand is not None else chance
        n = int(metrics[count_key])
        needs = baseline + chance_margin(baseline, n, z)
        finding = dict(
            task='instance top-1' if key == 'instance/top1'
            else key[len('pretext/acc_'):],
            value=value, chance=chance, random=rand, baseline=baseline, n=n,
            needs=needs, at_chance=value < needs)
        gap = _gap_finding(metrics, random, z) if key == 'instance/top1' \
            else None
        if gap is not None:  # learned if either figure shows it
            finding.update(gap, at_chance=finding['at_chance'] and
                           gap['gap'] < gap['gap_needs'])
        findings.append(finding)
    return findings


def _gap_finding(metrics, random, z):
    """The instance readout's cosine gap against the random
    initialisation's, ``z`` standard errors of the stage's own pairs above
    it; None where either is missing."""
    keys = ('instance/cos_gap', 'instance/cos_gap_se')
    if not all(k in metrics for k in keys) or keys[0] not in random:
        return None
    gap, se = float(metrics[keys[0]]), float(metrics[keys[1]])
    return dict(gap=gap, gap_random=float(random[keys[0]]),
                gap_needs=float(random[keys[0]]) + z * se)


def did_not_learn(findings):
    """A stage did not learn when it has judged tasks and every one of them
    is at chance (one task above it is something learned)."""
    return bool(findings) and all(f['at_chance'] for f in findings)


def _figure(f):
    rand = f' random init {f["random"]:.3f},' if f['random'] is not None \
        else ''
    gap = (f', cosine gap {f["gap"]:.3f} (random init '
           f'{f["gap_random"]:.3f}, needs > {f["gap_needs"]:.3f})'
           if 'gap' in f else '')
    return (f'{f["task"]} {f["value"]:.3f} (chance {f["chance"]:.3f},{rand} '
            f'needs > {f["needs"]:.3f} over {f["n"]} held-out samples)'
            + gap)


def did_not_learn_line(name, findings, z=Z):
    """The loud line for a stage that did not learn (see
    :func:`did_not_learn`), e.g. ``'!!! PRETEXT STAGE DID NOT LEARN: vspp:
    pace 0.262 (chance 0.250, needs > 0.304 over 256 held-out samples)
    ...'``; None when it learned or has no judged task. ``z``: the margin
    the findings were judged with (:func:`stage_findings`), which the line
    names."""
    if not did_not_learn(findings):
        return None
    return (f'!!! PRETEXT STAGE DID NOT LEARN: {name}: ' +
            '; '.join(_figure(f) for f in findings) +
            f' (within {z:g} SDs of the baseline): what follows '
            'it starts from a reshaped random initialisation')

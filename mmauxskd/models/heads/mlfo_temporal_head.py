r"""MLFO's temporal modeling, Eq. 11-13: feature-level temporal
augmentation contrast and timestamp retrieval."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

NEGATIVES = ('code', 'paper')


def temporal_augment(x, kind, generator=None):
    """Temporal transformation of a feature map ``(N, C, T, H, W)``:
    ``'reverse'`` (T flipped) or ``'shuffle'`` (one random permutation of
    the T steps that is not the identity, when T > 1)."""
    if kind == 'reverse':
        return x.flip(2)
    if kind != 'shuffle':
        raise ValueError(f"temporal augmentation must be 'reverse' or "
                         f"'shuffle', got {kind!r}")
    t = x.shape[2]
    perm = torch.arange(t)
    while t > 1 and torch.equal(perm, torch.arange(t)):
        perm = torch.randperm(t, generator=generator)
    return x[:, :, perm.to(x.device)]


def augmentation_contrast(e1, e2, augmented, temperature=0.07,
                          negatives='code'):
    r"""``L_aug`` (Eq. 11-12) at one level, mean over i and a.

    Args:
        e1, e2 (Tensor): ``(N, D)`` ME embeddings of the two clips.
        augmented (Sequence[Tensor]): per view a, ``(A, N, D)``: the ME
            embeddings of the A temporal augmentations of ``f^a``.
        negatives (str): ``'paper'``: ``neg_i^a = sum_k h(ME(f_i^a),
            ME(Aug_k(f_i^a)))``; ``'code'``: also every clip of the other
            videos, ``h(ME(f_i^a), ME(f_j^b))`` for j != i, b = 1, 2.
    """
    if negatives not in NEGATIVES:
        raise ValueError(f'negatives must be one of {NEGATIVES}, got '
                         f'{negatives!r}')
    e = [F.normalize(x.float(), dim=-1) for x in (e1, e2)]
    n = len(e1)
    loss = 0
    for a in (0, 1):
        pos = (e[0] * e[1]).sum(1, keepdim=True)  # (N, 1)
        aug = F.normalize(augmented[a].float(), dim=-1)
        own = torch.einsum('nd,knd->nk', e[a], aug)  # (N, A)
        parts = [pos, own]
        if negatives == 'code':
            others = e[a] @ torch.cat(e).t()  # (N, 2N)
            drop = torch.eye(n, dtype=torch.bool, device=others.device)
            others = others.masked_fill(torch.cat([drop, drop], 1),
                                        float('-inf'))
            parts.append(others)
        logits = torch.cat(parts, 1) / temperature
        loss = loss - F.log_softmax(logits, 1)[:, 0].mean() / 2
    return loss


def retrieval_targets(steps):
    """Long-clip step of each short-clip step (Eq. 13's positives) for
    MLFO's views (:class:`MLFOWindowSampler`): short clip c in {0, 1}, step
    t of ``steps`` -> ``c * steps / 2 + t // 2``. ``(2, steps)``."""
    t = torch.arange(steps)
    return torch.stack([t // 2, steps // 2 + t // 2])


def timestamp_retrieval(short0, short1, long, temperature=0.07):
    r"""``L_ret`` (Eq. 13) at one level, mean over videos, clips and steps.

    ``-log h(v_s(t), v_l(t)) / sum_{t_k} h(v_s(t), v_l(t_k))`` with the
    per-step features ``(N, D, T)`` of the short clips and the long clip
    of the same video (the long clip's steps are the keys).
    """
    steps = long.shape[2]
    if steps < 2 or steps % 2:
        raise ValueError(f'timestamp retrieval needs an even number of '
                         f'steps, got {steps}')
    keys = F.normalize(long.float(), dim=1)
    target = retrieval_targets(steps).to(long.device)
    loss = 0
    for c, short in enumerate((short0, short1)):
        q = F.normalize(short.float(), dim=1)
        logits = torch.einsum('ndt,nds->nts', q, keys) / temperature
        loss = loss + F.cross_entropy(
            logits.flatten(0, 1), target[c].repeat(len(q))) / 2
    return loss


@MODELS.register_module()
class MLFOTemporalHead(BaseModule):
    r"""Temporal modeling (§3.3): ``L_aug`` (Eq. 11-12) and ``L_ret``
    (Eq. 13), per level.

    .. math::

        \mathcal{L}_{aug} = -\sum_{i=1}^N\sum_{a=1}^2 \log
        \frac{h(ME(f_{r_i}^1), ME(f_{r_i}^2))}{h(ME(f_{r_i}^1),
        ME(f_{r_i}^2)) + neg_i^a},\
        neg_i^a = \sum_{k=1}^A h(ME(f_{r_i}^a), ME(Aug_k(f_{r_i}^a)))

        \mathcal{L}_{ret} = -\sum_{t_q\in[t_1,t_2]}\log
        \frac{h(v_s(t_q), v_l(t_q))}{\sum_{t_k\in[t_3,t_4]}
        h(v_s(t_q), v_l(t_k))}

    (means instead of sums.) Defaults follow the authors' code: reverse
    only, other videos as negatives too, ``L_aug`` at ``low`` (0.3) and
    ``mid`` (0.5); ``L_ret`` at every level (1.0). The paper:
    ``augmentations=('shuffle', 'reverse')``, ``negatives='paper'``.

    The algorithm hands :meth:`loss` the levels' backbone features, neck
    outputs and necks; the head augments the short clips' features
    (:meth:`augmented_embeddings`) and computes both losses.

    Args:
        aug_levels (dict): level -> weight of ``L_aug``.
        ret_levels (dict): level -> weight of ``L_ret``.
        augmentations (Sequence[str]): the ``Aug_k``.
        negatives (str): ``'code'`` or ``'paper'``
            (:func:`augmentation_contrast`).
        temperature (float): tau. Defaults to 0.07.
    """

    def __init__(self, aug_levels=dict(low=0.3, mid=0.5),
                 ret_levels=dict(low=1.0, mid=1.0, high=1.0),
                 augmentations=('reverse', ), negatives='code',
                 temperature=0.07, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if negatives not in NEGATIVES:
            raise ValueError(f'MLFOTemporalHead: negatives must be one of '
                             f'{NEGATIVES}, got {negatives!r}')
        for kind in augmentations:
            temporal_augment(torch.zeros(1, 1, 2, 1, 1), kind)  # validates
        self.aug_levels = dict(aug_levels or {})
        self.ret_levels = dict(ret_levels or {})
        self.augmentations = tuple(augmentations)
        self.negatives = negatives
        self.temperature = temperature

    def augmented_embeddings(self, feat, neck, gather=None):
        """The ``ME(Aug_k(f))`` of Eq. 11-12 for one view at one level.

        Args:
            feat (Tensor): this rank's backbone features ``(n, C, T, H, W)``
                of one short clip.
            neck (nn.Module): the level's neck, ``(n, C, T, H, W) -> (n, D,
                T)``, with ``embed``: ``(n, D, T) -> (n, D)``.
            gather (callable, optional): ``(n, D)`` -> the global batch's
                ``(N, D)`` (``gather_with_local_grad``). None: identity.

        Returns:
            Tensor: ``(A, N, D)``, one row per ``augmentations`` entry.
        """
        gather = gather or (lambda x: x)
        return torch.stack([gather(neck.embed(neck(temporal_augment(
            feat, kind)))) for kind in self.augmentations])

    def loss(self, feats, steps, embeddings, necks, gather=None):
        """``L_aug`` (Eq. 11-12) at ``aug_levels`` and ``L_ret`` (Eq. 13)
        at ``ret_levels``.

        Args:
            feats (dict): level -> per view, this rank's backbone features
                ``(n, C, T, H, W)``; views 0 and 1 (the short clips) are
                augmented.
            steps (dict): level -> per view (short, short, long), the
                global batch's per-step neck outputs ``(N, D, T)``.
            embeddings (dict): level -> per view, the clip embeddings
                ``(N, D)`` (the neck's ``embed`` of ``steps``).
            necks (Mapping): level -> the level's neck (see
                :meth:`augmented_embeddings`).
            gather (callable, optional): see :meth:`augmented_embeddings`.

        Returns:
            dict: ``loss_aug_<level>`` and ``loss_ret_<level>``.
        """
        losses = {}
        for name in self.aug_levels:
            augmented = [self.augmented_embeddings(f, necks[name], gather)
                         for f in feats[name][:2]]
            losses.update(self.loss_aug(name, embeddings[name][0],
                                        embeddings[name][1], augmented))
        for name in self.ret_levels:
            losses.update(self.loss_ret(name, *steps[name]))
        return losses

    def loss_aug(self, name, e1, e2, augmented):
        """``dict(loss_aug_<name>)``: weighted
        :func:`augmentation_contrast` (Eq. 11-12) at level ``name``."""
        return {f'loss_aug_{name}': self.aug_levels[name] *
                augmentation_contrast(e1, e2, augmented, self.temperature,
                                      self.negatives)}

    def loss_ret(self, name, short0, short1, long):
        """``dict(loss_ret_<name>)``: weighted :func:`timestamp_retrieval`
        (Eq. 13) at level ``name``, per-step features ``(N, D, T)``."""
        return {f'loss_ret_{name}': self.ret_levels[name] *
                timestamp_retrieval(short0, short1, long, self.temperature)}

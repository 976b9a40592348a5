r"""MLFO's graph constraint, Eq. 6-10: instance and semantic graphs from the
high-level features, and the multi-level graph loss."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

VARIANTS = ('code', 'paper')
GRAPHS = ('combined', 'instance', 'semantic', 'onehot')


def _logits(u, v, temperature):
    return F.normalize(u.float(), dim=1) @ F.normalize(v.float(),
                                                       dim=1).t() / temperature


@torch.no_grad()
def instance_graph(z1, z2, eta=0.05, temperature=0.07, variant='code'):
    r"""``E_ins`` (N x N), Eq. 6 with ``W`` of Eq. 8 (paper) or the code's.

    * ``'paper'``: ``W(i, i) = h(z_i^1, z_i^2)``, ``W(i, j) = 1/4
      sum_{m,n} h(z_i^m, z_j^n)`` (i != j), an edge where
      ``W(i, j) / sum_j W(i, j) >= eta``, weight ``W(i, j)``. (``W`` is
      computed up to one common factor, which Eq. 9 normalises away.)
    * ``'code'``: ``W = softmax_j(cos(z_i^1, z_j^2) / tau)`` (rows already
      sum to 1), an edge where ``W(i, j) >= eta``, the diagonal always
      kept.
    """
    if variant == 'code':
        w = F.softmax(_logits(z1, z2, temperature), dim=1)
        keep = w >= eta
        keep |= torch.eye(len(w), dtype=torch.bool, device=w.device)
        return w * keep
    if variant != 'paper':
        raise ValueError(f'variant must be one of {VARIANTS}, got {variant!r}')
    pairs = torch.stack([_logits(a, b, temperature)
                         for a in (z1, z2) for b in (z1, z2)])
    top = pairs.max()
    w = torch.exp(pairs - top).mean(0)
    eye = torch.eye(len(w), dtype=torch.bool, device=w.device)
    w = torch.where(eye, torch.exp(pairs[1] - top), w)
    return w * (w / w.sum(1, keepdim=True) >= eta)


@torch.no_grad()
def semantic_graph(s1, s2):
    """``E_sem`` (N x N), Eq. 7: 1 where ``argmax(s_i^1 + s_i^2)`` equals
    ``argmax(s_j^1 + s_j^2)``."""
    label = (s1 + s2).argmax(1)
    return (label[:, None] == label[None]).float()


@torch.no_grad()
def combined_graph(e_ins, e_sem):
    """``E`` (N x N), Eq. 9: ``E_ins E_sem`` normalised per row (a row
    with no edge stays 0)."""
    e = e_ins * e_sem
    return e / e.sum(1, keepdim=True).clamp_min(1e-12)


def graph_loss(e, u1, u2, temperature=0.07, variant='code'):
    r"""``L_mul`` at one level (Eq. 10) for level embeddings ``u1``, ``u2``.

    * ``'paper'``: with ``h(u_i^a, u_j^*)`` of Eq. 3 (``i = j``: the
      positive pair; ``i != j``: both views of j),
      ``-1/(2N) sum_i sum_a sum_j E(i, j) log(h(u_i^a, u_j^*) / sum_j
      h(u_i^a, u_j^*))``: a per-row cross-entropy, averaged over rows.
    * ``'code'``: cross-view ``softmax_j(cos(u_i^a, u_j^b) / tau)``
      (b the other view), ``-1/(2 N^2) sum_a sum_{i,j} E(i, j) log(...)``:
      the mean over all N x N entries, about 1/N of the per-row form.
    """
    l12, l21 = _logits(u1, u2, temperature), _logits(u2, u1, temperature)
    if variant == 'code':
        return -(e * F.log_softmax(l12, 1)).mean() / 2 - (
            e * F.log_softmax(l21, 1)).mean() / 2
    if variant != 'paper':
        raise ValueError(f'variant must be one of {VARIANTS}, got {variant!r}')
    loss = 0
    eye = torch.eye(len(e), dtype=torch.bool, device=e.device)
    for same, cross in ((_logits(u1, u1, temperature), l12),
                        (_logits(u2, u2, temperature), l21)):
        # log h(u_i^a, u_j^*): both views of j, the positive pair on i = j
        logh = torch.where(eye, cross, torch.logaddexp(same, cross))
        loss = loss - (e * F.log_softmax(logh, 1)).sum(1).mean() / 2
    return loss


@MODELS.register_module()
class MLFOGraphHead(BaseModule):
    r"""Multi-level graph constraint (Eq. 6-10).

    From the high-level instance embeddings ``z^1, z^2`` and the Sinkhorn
    targets ``s^1, s^2`` (no gradient): ``E_ins`` (Eq. 6, 8;
    :func:`instance_graph`), ``E_sem`` (Eq. 7), ``E`` (Eq. 9). Then, for
    each level r with weight ``w_r``, ``w_r L_mul(r)`` (Eq. 10,
    :func:`graph_loss`) on that level's embeddings:

    .. math::

        \mathcal{L}_{mul} = -\sum_{i=1}^N \sum_{j=1}^N \sum_{a=1}^2
        \mathcal{E}(i,j)\log\frac{h(z_{r_i}^a, z_{r_j}^*)}
        {\sum_{j=1}^N h(z_{r_i}^a, z_{r_j}^*)}

    Args:
        levels (dict): level name -> weight. Defaults to the authors'
            code: ``high`` 1.0, ``mid`` 0.5, ``low`` 0.3 (the paper:
            ``low`` and ``mid``; Table 2's "combined on high" adds
            ``high``).
        eta (float): edge threshold. Defaults to 0.05.
        temperature (float): tau. Defaults to 0.07.
        variant (str): ``'code'`` (default) or ``'paper'``: ``W`` and the
            form of Eq. 10 (see the functions).
        graph (str): ``'combined'`` (Eq. 9), ``'instance'`` (``E_ins``
            normalised per row), ``'semantic'`` (``E_sem`` normalised) or
            ``'onehot'`` (the identity, InfoNCE's target): Table 2's rows.
    """

    def __init__(self, levels=dict(high=1.0, mid=0.5, low=0.3), eta=0.05,
                 temperature=0.07, variant='code', graph='combined',
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if variant not in VARIANTS:
            raise ValueError(f'MLFOGraphHead: variant must be one of '
                             f'{VARIANTS}, got {variant!r}')
        if graph not in GRAPHS:
            raise ValueError(f'MLFOGraphHead: graph must be one of {GRAPHS},'
                             f' got {graph!r}')
        if not levels:
            raise ValueError('MLFOGraphHead: levels is empty')
        self.levels = dict(levels)
        self.eta = eta
        self.temperature = temperature
        self.variant = variant
        self.graph = graph

    @torch.no_grad()
    def target(self, z1, z2, s1, s2):
        """``E`` (N x N) from the high-level embeddings and targets."""
        if self.graph == 'onehot':
            return torch.eye(len(z1), device=z1.device)
        ones = torch.ones(len(z1), len(z1), device=z1.device)
        e_ins = instance_graph(z1, z2, self.eta, self.temperature,
                               self.variant) \
            if self.graph != 'semantic' else ones
        e_sem = semantic_graph(s1, s2) if self.graph != 'instance' else ones
        return combined_graph(e_ins, e_sem)

    def loss(self, z1, z2, s1, s2, level_embeddings):
        """``level_embeddings``: level -> ``(u1, u2)``, each ``(N, D)``
        (global batch). Returns ``loss_graph_<level>`` per level."""
        e = self.target(z1.detach(), z2.detach(), s1, s2)
        return {f'loss_graph_{name}': weight * graph_loss(
                    e, *level_embeddings[name], self.temperature,
                    self.variant)
                for name, weight in self.levels.items()}

r"""MLFO's instance discrimination, Eq. 2-3 (NT-Xent over two views)."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from .contrastive_head import ContrastiveHead


@MODELS.register_module()
class MLFOInstanceHead(ContrastiveHead):
    r"""Instance discrimination on the high-level embeddings (Eq. 2-3).

    .. math::

        \mathcal{L}_{ins} = -\frac{1}{2N}\sum_{i=1}^{N}\sum_{a=1}^{2}
        \log\frac{h(z_i^1, z_i^2)}{\sum_{j=1}^{N} h(z_i^a, z_j^*)},\quad
        h(z_i^a, z_j^*) = \begin{cases} h(z_i^1, z_i^2) & i = j\\
        h(z_i^a, z_j^1) + h(z_i^a, z_j^2) & i \neq j\end{cases}

    with ``h(u, v) = exp(cos(u, v) / tau)``: NT-Xent (SimCLR), every clip
    of another video a negative. It is :class:`ContrastiveHead`'s InfoNCE
    with one positive (the other view) and, per clip, its own negatives
    (the 2N - 2 clips of the other videos). The paper sums over i and a; we
    average (the authors' code; a constant factor 2N). ``z1``, ``z2`` are
    the *global* batch (``gather_with_local_grad``), so the negatives are
    those of every rank.

    Args:
        temperature (float): tau. Defaults to 0.07.
        loss_weight (float): factor of the loss. Defaults to 1.
    """

    def loss(self, z1, z2):
        """``(N, D)`` embeddings of the two views ->
        ``dict(loss_ins, acc_ins)`` (accuracy: the partner view is the
        nearest of the 2N - 1 other clips)."""
        z = F.normalize(torch.cat([z1, z2]).float(), dim=1)
        n2 = len(z)
        sim = z @ z.t()
        rows = torch.arange(n2, device=z.device)
        partner = (rows + n2 // 2) % n2
        others = torch.ones_like(sim, dtype=torch.bool)
        others[rows, rows] = others[rows, partner] = False
        out = super().loss(sim[rows, partner], sim[others].view(n2, n2 - 2))
        return dict(loss_ins=out['loss_contrast'],
                    acc_ins=out['acc_contrast'])

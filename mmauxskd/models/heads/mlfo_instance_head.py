r"""MLFO's instance discrimination, Eq. 2-3 (NT-Xent over two views)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS


def nt_xent_logits(z1, z2, temperature):
    """Logits and targets of NT-Xent for ``(N, D)`` views ``z1``, ``z2``.

    Rows ``k`` of ``cat(z1, z2)`` against all other rows (the row itself
    masked out), cosine similarity over ``temperature``; the target of row
    ``i`` (view 1) is ``N + i`` and of row ``N + i`` is ``i``.
    """
    z = F.normalize(torch.cat([z1, z2]).float(), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / temperature
    logits = logits.masked_fill(
        torch.eye(2 * n, dtype=torch.bool, device=z.device), float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    return logits, target


@MODELS.register_module()
class MLFOInstanceHead(BaseModule):
    r"""Instance discrimination on the high-level embeddings (Eq. 2-3).

    .. math::

        \mathcal{L}_{ins} = -\frac{1}{2N}\sum_{i=1}^{N}\sum_{a=1}^{2}
        \log\frac{h(z_i^1, z_i^2)}{\sum_{j=1}^{N} h(z_i^a, z_j^*)},\quad
        h(z_i^a, z_j^*) = \begin{cases} h(z_i^1, z_i^2) & i = j\\
        h(z_i^a, z_j^1) + h(z_i^a, z_j^2) & i \neq j\end{cases}

    with ``h(u, v) = exp(cos(u, v) / tau)``: NT-Xent (SimCLR), every clip
    of another video a negative. The paper sums over i and a; we average
    (the authors' code; a constant factor 2N). ``z1``, ``z2`` are the
    *global* batch (``gather_with_local_grad``), so the negatives are
    those of every rank.

    Args:
        temperature (float): tau. Defaults to 0.07.
        loss_weight (float): factor of the loss. Defaults to 1.
    """

    def __init__(self, temperature=0.07, loss_weight=1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def loss(self, z1, z2):
        """``(N, D)`` embeddings of the two views ->
        ``dict(loss_ins, acc_ins)`` (accuracy: the partner view is the
        nearest of the 2N - 1 other clips)."""
        logits, target = nt_xent_logits(z1, z2, self.temperature)
        return dict(
            loss_ins=self.loss_weight * F.cross_entropy(logits, target),
            acc_ins=(logits.argmax(1) == target).float().mean().detach())

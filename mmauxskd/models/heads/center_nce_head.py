r"""CenterNCE: joint embeddings against cluster centroids (Vi²CLR Eq. 3)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

from ..utils.gather import gather_across_ranks

__all__ = ['CenterNCEHead']


@MODELS.register_module()
class CenterNCEHead(BaseModule):
    r"""CenterNCE (paper Eq. 3; PCL's ProtoNCE prototype term).

    .. math::

        \mathcal{L} = \frac{1}{n} \sum_{i=1}^{n} -\log
        \frac{\exp(r_{Ji} \cdot c_{s(i)} / \phi_{s(i)})}
             {\sum_{j \in \mathcal{C}} \exp(r_{Ji} \cdot c_j / \phi_j)}

    :math:`r_{Ji}` L2-normalised; :math:`c_j` the L2-normalised centroids and
    :math:`\phi_j` the concentrations of the clustering hook; :math:`s(i)`
    the cluster of sample i. :math:`\mathcal{C}`: all k clusters
    (``denominator='all'``, Eq. 3 as written, the default), or only the
    clusters of the mini-batch, gathered across ranks (``'batch'``: the
    text's "centroids of the other clusters in the mini-batch"). Mean over
    the batch instead of the paper's sum.

    Shapes: ``feats (n, d)``, ``targets (n,)`` in 0..k-1, ``centroids
    (k, d)``, ``phi (k,)`` -> scalar loss.

    Args:
        temperature (float): unused by the loss (phi replaces it); kept for
            the configs' symmetry and the hook's phi mean. Defaults to 0.08.
        denominator (str): ``'all'`` or ``'batch'``.
        loss_weight (float): multiplies the loss. Defaults to 1.0.
    """

    def __init__(self, temperature=0.08, denominator='all', loss_weight=1.0,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if denominator not in ('all', 'batch'):
            raise ValueError("CenterNCEHead.denominator must be 'all' or "
                             f"'batch', got {denominator!r}")
        self.temperature = temperature
        self.denominator = denominator
        self.loss_weight = loss_weight

    def forward(self, feats, targets, centroids, phi):
        """The unweighted loss and the accuracy of the nearest centroid."""
        r = F.normalize(feats.float(), dim=1)
        c = F.normalize(centroids.float(), dim=1)
        logits = r @ c.t() / phi.float()[None]  # (n, k)
        if self.denominator == 'batch':
            batch_targets = gather_across_ranks(targets)
            present = torch.zeros(c.shape[0], dtype=torch.bool,
                                  device=r.device)
            present[batch_targets] = True
            logits = logits.masked_fill(~present[None],
                                        torch.finfo(logits.dtype).min)
        loss = F.cross_entropy(logits, targets)
        acc = (logits.argmax(1) == targets).float().mean()
        return loss, acc

    def loss(self, feats, targets, centroids, phi):
        loss, acc = self(feats, targets, centroids, phi)
        return dict(loss_center_nce=self.loss_weight * loss,
                    acc_center=acc.detach())

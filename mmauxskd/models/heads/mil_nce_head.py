r"""Multi-instance InfoNCE with cluster positives (Vi²CLR's VideoNCE/ImgNCE)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

from ..utils.gather import gather_with_offset

__all__ = ['MILNCEHead']


@MODELS.register_module()
class MILNCEHead(BaseModule):
    r"""MIL-NCE (paper Eq. 2) over a batch, positives from clusters.

    For each query embedding :math:`r_i` (L2-normalised here) of the local
    batch, against the keys of the whole batch gathered across ranks
    (:func:`~mmauxskd.models.utils.gather_with_offset`, this rank's rows
    keeping their gradient), the query itself excluded:

    .. math::

        \mathcal{L} = \frac{1}{n} \sum_{i=1}^{n} -\log
        \frac{\sum_{p \in \mathcal{P}_i} \exp(r_i \cdot r_p / \tau)}
             {\sum_{p \in \mathcal{P}_i} \exp(r_i \cdot r_p / \tau) +
              \sum_{m \in \mathcal{N}_i} \exp(r_i \cdot r_m / \tau)}

    :math:`\mathcal{P}_i`: the keys of the same video (the other temporal
    crop) or of the same cluster; :math:`\mathcal{N}_i`: every other key
    (other clusters' samples and their crops). The paper sums over i; the
    mean is taken here (CoCLR's ``multi_nce_loss``, PCL), which only
    rescales the lr. With every cluster a singleton (the instance warm-up)
    :math:`\mathcal{P}_i` is the other crop alone and this is InfoNCE
    (Eq. 1).

    Shapes: ``feats (n, d)``, ``clusters (n,)``, ``instances (n,)`` (e.g.
    dataset indices: rows of one video share it) -> scalar loss.

    Args:
        temperature (float): tau. Defaults to 0.08 (paper §4.2).
        loss_weight (float): multiplies the loss. Defaults to 1.0 (Eq. 4).
        loss_name (str): key of the loss in the returned dict, e.g.
            ``'loss_video_nce'``.
    """

    def __init__(self, temperature=0.08, loss_weight=1.0,
                 loss_name='loss_mil_nce', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.loss_name = loss_name

    def forward(self, feats, clusters, instances):
        """The unweighted loss (a scalar) and the mean positives per query."""
        q = F.normalize(feats.float(), dim=1)
        keys, offset = gather_with_offset(q)
        key_clusters, _ = gather_with_offset(clusters)
        key_instances, _ = gather_with_offset(instances)
        logits = q @ keys.t() / self.temperature  # (n, N)
        rows = torch.arange(q.shape[0], device=q.device)
        self_mask = torch.zeros_like(logits, dtype=torch.bool)
        self_mask[rows, rows + offset] = True
        pos = ((clusters[:, None] == key_clusters[None]) |
               (instances[:, None] == key_instances[None])) & ~self_mask
        if not pos.any(1).all():
            raise ValueError('MILNCEHead: a query without positive (every '
                             'video needs its two crops in the batch)')
        neg_inf = torch.finfo(logits.dtype).min
        log_pos = logits.masked_fill(~pos, neg_inf).logsumexp(1)
        log_all = logits.masked_fill(self_mask, neg_inf).logsumexp(1)
        return (log_all - log_pos).mean(), pos.sum(1).float().mean()

    def loss(self, feats, clusters, instances):
        loss, num_pos = self(feats, clusters, instances)
        return {self.loss_name: self.loss_weight * loss,
                self.loss_name.replace('loss_', 'npos_'): num_pos.detach()}

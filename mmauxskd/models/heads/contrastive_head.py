r"""InfoNCE over one or several positives per query (MoCo, RSPNet's A)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

__all__ = ['ContrastiveHead']


@MODELS.register_module()
class ContrastiveHead(BaseModule):
    r"""InfoNCE (van den Oord et al. 2018; MoCo, He et al. 2020, Eq. 1).

    For a query ``q`` with positive similarity :math:`s^+ = q \cdot k^+`
    and negative similarities :math:`s^-_j = q \cdot n_j` (j = 1..K, e.g.
    the queue), all on L2-normalised embeddings, at temperature
    :math:`\tau`:

    .. math::

        \mathcal{L}(q) = -\log \frac{\exp(s^+ / \tau)}
            {\exp(s^+ / \tau) + \sum_{j=1}^{K} \exp(s^-_j / \tau)}

    i.e. the cross-entropy of the logits ``[s+, s-_1..s-_K] / tau`` with
    target 0, averaged over the batch. With P positives per query (e.g.
    RSPNet's two same-video keys) each is its own term against the same
    negatives and the P terms are **summed**:
    :math:`\mathcal{L} = \sum_{p=1}^{P} \operatorname{mean}_b
    \mathcal{L}(q_b; k^+_{b,p})`. No parameters.

    Shapes: ``pos`` ``(B, P)`` (or ``(B,)``, P = 1), ``neg`` ``(B, K)`` ->
    logits ``(B, P, 1 + K)``.

    Args:
        temperature (float): tau. Defaults to 0.07 (MoCo, RSPNet).
        loss_weight (float): factor on the loss. Defaults to 1.0.
        init_cfg (dict, optional): unused.
    """

    def __init__(self, temperature=0.07, loss_weight=1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    @staticmethod
    def similarities(query, keys, negatives):
        """Dot products ``pos`` (B, P) and ``neg`` (B, K) of normalised
        ``query`` (B, D) with ``keys`` (B, P, D) or (B, D) and
        ``negatives`` (K, D) (detached: a queue takes no gradient)."""
        if keys.dim() == 2:
            keys = keys.unsqueeze(1)
        pos = torch.einsum('bd,bpd->bp', query, keys)
        return pos, query @ negatives.detach().t()

    def forward(self, pos, neg):
        """Logits ``(B, P, 1 + K)``: ``[pos_p, neg] / tau`` per positive."""
        if pos.dim() == 1:
            pos = pos.unsqueeze(1)
        neg = neg.unsqueeze(1).expand(-1, pos.shape[1], -1)
        return torch.cat([pos.unsqueeze(2), neg], 2) / self.temperature

    def loss(self, pos, neg):
        """``dict(loss_contrast, acc_contrast)``: the weighted loss above
        and the fraction of (query, positive) pairs whose positive has the
        largest logit (mean over the P positives)."""
        logits = self(pos, neg)
        target = logits.new_zeros(logits.shape[:2], dtype=torch.long)
        ce = F.cross_entropy(logits.flatten(0, 1), target.flatten(),
                             reduction='none').view(target.shape)
        acc = (logits.argmax(2) == 0).float().mean()
        return dict(loss_contrast=self.loss_weight * ce.mean(0).sum(),
                    acc_contrast=acc.detach())

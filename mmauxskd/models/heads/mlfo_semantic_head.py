r"""MLFO's semantic branch, Eq. 4: prototypes, Sinkhorn targets, swapped
prediction, and a queue of past prototype scores."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

from ..utils.feature_queue import FeatureQueue


@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, iterations=3):
    r"""Sinkhorn-Knopp equal-partition soft assignment (SwAV's form).

    ``Q = exp(scores / epsilon)^T`` (K x B), divided by its sum, then
    ``iterations`` times: rows (prototypes) scaled to sum ``1/K``, columns
    (samples) to ``1/B``. Returns ``B Q^T`` (B, K): each sample's target
    distribution, every prototype receiving about B/K of the mass.

    Args:
        scores (Tensor): ``(B, K)`` cosine scores of samples and prototypes.
    """
    q = torch.exp(scores.float() / epsilon).t()
    q /= q.sum()
    k, b = q.shape
    for _ in range(iterations):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    return (q * b).t()


@MODELS.register_module()
class MLFOSemanticHead(BaseModule):
    r"""Prototypical semantic discrimination (Eq. 4).

    ``P`` (K x D prototypes, rows L2-normalised before every use), scores
    ``c_i^a = P \hat q_i^a`` of the normalised semantic projection,
    ``p_i^a = softmax(c_i^a / T)``, soft targets ``s^a`` by :func:`sinkhorn`
    over the batch's scores (preceded, once ``use_queue`` is on, by the
    queue's past scores, which only shape the partition), and the swapped
    prediction

    .. math::

        \mathcal{L}_{sem} = -\frac{1}{N}\sum_{i=1}^N \sum_{k=1}^K
        s_i^1(k)\log p_i^2(k) + s_i^2(k)\log p_i^1(k)

    (the paper sums over i; mean here). ``loss_weight`` 0.25 is the
    authors' code: its swapped loss is halved and the total halves it again
    (the paper: 1, ``L_high = L_ins + L_sem``, Eq. 5).

    The scores of both views are pushed into the queue (``queue_size``
    rows, FIFO) after every training forward. The schedule's two switches
    (:meth:`set_stage`; ``MLFO`` calls it before every step) are
    ``freeze_prototypes`` (``P`` gets no gradient; the first epoch) and
    ``use_queue`` (the queue's rows enter Sinkhorn); both start off.

    Args:
        num_prototypes (int): K. Defaults to 1000.
        feat_dim (int): D. Defaults to 128.
        temperature (float): T of ``p``. Defaults to 0.1.
        epsilon (float): Sinkhorn's epsilon. Defaults to 0.05.
        iterations (int): Sinkhorn iterations. Defaults to 3.
        queue_size (int): past score rows kept (0: no queue). Defaults to
            1024.
        loss_weight (float): see above. Defaults to 0.25.
    """

    def __init__(self, num_prototypes=1000, feat_dim=128, temperature=0.1,
                 epsilon=0.05, iterations=3, queue_size=1024,
                 loss_weight=0.25, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        for name, value in (('num_prototypes', num_prototypes),
                            ('feat_dim', feat_dim),
                            ('iterations', iterations)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'MLFOSemanticHead: {name} must be an int '
                                 f'>= 1, got {value!r}')
        if temperature <= 0 or epsilon <= 0:
            raise ValueError('MLFOSemanticHead: temperature and epsilon must '
                             f'be > 0, got {temperature}, {epsilon}')
        self.prototypes = nn.Parameter(
            F.normalize(torch.randn(num_prototypes, feat_dim), dim=1))
        self.temperature = temperature
        self.epsilon = epsilon
        self.iterations = iterations
        self.loss_weight = loss_weight
        self.queue = FeatureQueue(queue_size, num_prototypes) \
            if queue_size else None
        # rows of the queue filled so far (its initial rows are noise)
        self.register_buffer('queue_filled', torch.zeros((), dtype=torch.long))
        self.freeze_prototypes = False
        self.use_queue = False

    def set_stage(self, *, freeze_prototypes, use_queue):
        """Switch the schedule's stage (§4.2; the authors' code).

        Args:
            freeze_prototypes (bool): ``P`` without gradient (the
                prototypes stay as initialised, rows renormalised).
            use_queue (bool): the queue's filled rows precede the batch's
                scores in Sinkhorn (:meth:`targets`).
        """
        self.freeze_prototypes = bool(freeze_prototypes)
        self.use_queue = bool(use_queue)

    @torch.no_grad()
    def normalize_prototypes(self):
        self.prototypes.copy_(F.normalize(self.prototypes, dim=1))

    def scores(self, q):
        """``(N, D)`` projections -> ``(N, K)`` cosine scores."""
        protos = self.prototypes.detach() if self.freeze_prototypes \
            else self.prototypes
        return F.normalize(q.float(), dim=1) @ protos.t()

    def queued_scores(self):
        """The queue's filled rows (none until ``use_queue``)."""
        if self.queue is None or not self.use_queue:
            return None
        filled = min(int(self.queue_filled), self.queue.size)
        return self.queue.bank[:filled] if filled else None

    def targets(self, scores):
        """Sinkhorn targets of ``(N, K)`` scores, the queue's rows first."""
        past = self.queued_scores()
        full = scores.detach() if past is None else torch.cat(
            [past, scores.detach()])
        return sinkhorn(full, self.epsilon, self.iterations)[-len(scores):]

    @torch.no_grad()
    def enqueue(self, *scores):
        if self.queue is None:
            return
        rows = torch.cat([s.detach().float() for s in scores])
        self.queue.enqueue(rows)
        self.queue_filled += rows.shape[0]

    def loss(self, q1, q2, enqueue=False, gather=None):
        """``(n, D)`` semantic projections of the two views.

        ``gather`` (e.g. ``gather_with_local_grad``) turns this rank's
        ``(n, K)`` scores into the global batch's: the scores are computed
        locally, so that the prototypes' gradient, like every other
        parameter's, flows through this rank's samples only.

        Returns ``(losses, (s1, s2))``: ``dict(loss_sem)`` and the targets
        (for the semantic graph, Eq. 7).
        """
        self.normalize_prototypes()
        gather = gather or (lambda x: x)
        c1, c2 = gather(self.scores(q1)), gather(self.scores(q2))
        s1, s2 = self.targets(c1), self.targets(c2)
        logp1 = F.log_softmax(c1 / self.temperature, dim=1)
        logp2 = F.log_softmax(c2 / self.temperature, dim=1)
        loss = -((s1 * logp2).sum(1) + (s2 * logp1).sum(1)).mean()
        if enqueue:
            self.enqueue(c1, c2)
        return dict(loss_sem=self.loss_weight * loss), (s1, s2)

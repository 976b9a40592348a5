r"""RSPNet's two losses: appearance InfoNCE (A) and relative speed ranking
(M) (Chen et al., "RSPNet: Relative Speed Perception for Unsupervised
Video Representation Learning", AAAI 2021, §3.2-3.3)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

__all__ = ['RSPNetHead']


@MODELS.register_module()
class RSPNetHead(BaseModule):
    r"""The appearance and the speed loss of RSPNet, on L2-normalised
    embeddings (no parameters).

    * **A** (appearance, RSPNet Eq. 6; MoCo's InfoNCE, built from
      ``appearance``, a :class:`ContrastiveHead`): the anchor's query
      ``q_A`` (B, D) against each of the keys ``k+_A`` and ``k-_A`` (B, D),
      both clips of the anchor's video whatever their speed, with the queue
      (K, D) as negatives; ``loss_A`` is the **sum** of the two InfoNCE
      terms, each a batch mean (the authors' code).
    * **M** (relative speed perception, RSPNet Eq. 3, a margin ranking
      loss on the T-scaled similarities of the speed embeddings):

      .. math::

          \mathcal{L}_M = \operatorname{mean}_b \max\bigl(0, \gamma
              - (q_M \cdot k^+_M - q_M \cdot k^-_M) / T\bigr)

      with ``k+_M`` the same-speed clip, ``k-_M`` the other-speed clip,
      margin :math:`\gamma` and temperature T (PyTorch's
      ``MarginRankingLoss`` with target 1).

    Returns ``loss_A``, ``acc_A`` (the share of (query, key) pairs whose
    key has the largest logit), ``loss_M`` and ``acc_M`` (the share of
    anchors closer to ``k+_M`` than to ``k-_M``).

    Args:
        temperature (float): T of the speed loss. Defaults to 0.07.
        margin (float): :math:`\gamma`. Defaults to 2.0.
        appearance (dict, optional): the A head; defaults to
            ``ContrastiveHead`` at the same ``temperature``.
        init_cfg (dict, optional): unused.
    """

    def __init__(self, temperature=0.07, margin=2.0, appearance=None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.margin = margin
        self.appearance = MODELS.build(
            appearance or dict(type='ContrastiveHead',
                               temperature=temperature))

    def appearance_loss(self, q_a, keys_a, queue):
        """``dict(loss_A, acc_A)`` for ``q_a`` (B, D), ``keys_a`` (B, 2, D)
        (k+_A, k-_A) and ``queue`` (K, D)."""
        out = self.appearance.loss(
            *self.appearance.similarities(q_a, keys_a, queue))
        return dict(loss_A=out['loss_contrast'], acc_A=out['acc_contrast'])

    def speed_loss(self, q_m, kp_m, kn_m):
        """``dict(loss_M, acc_M)`` for ``q_m``, ``kp_m``, ``kn_m``, each
        (B, D)."""
        t = self.temperature
        pos, neg = (q_m * kp_m).sum(1) / t, (q_m * kn_m).sum(1) / t
        loss = F.margin_ranking_loss(pos, neg, torch.ones_like(pos),
                                     margin=self.margin)
        return dict(loss_M=loss, acc_M=(pos > neg).float().mean())

    @staticmethod
    def closer_to_positive(q_m, kp_m, kn_m):
        """``(B,)`` bool: is ``q_m`` more similar to ``kp_m`` than to
        ``kn_m`` (what ``loss_M`` trains; the relative-speed prediction)."""
        return (q_m * kp_m).sum(1) > (q_m * kn_m).sum(1)

    def loss(self, q_a, keys_a, queue, q_m, kp_m, kn_m):
        """``loss_A``, ``acc_A``, ``loss_M``, ``acc_M`` (see above)."""
        losses = self.appearance_loss(q_a, keys_a, queue)
        losses.update(self.speed_loss(q_m, kp_m, kn_m))
        return losses

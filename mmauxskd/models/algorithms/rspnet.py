"""RSPNet: relative speed perception + appearance-focused instance
discrimination (Chen et al., AAAI 2021), on auxSKD's momentum machinery.

See docs/pretexts.md#rspnet and :mod:`..datasets.transforms.relative_speed`.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from .auxskd import AuxSKD


@MODELS.register_module()
class RSPNet(AuxSKD):
    """Query encoder, EMA key encoder, two 128-d heads, a key queue.

    Inputs ``(B, 3, C, T, H, W)`` from :class:`RelativeSpeedSampler`:
    anchor, positive (same speed), negative (other speed). With the
    L2-normalised embeddings ``q`` of the anchor (query encoder) and ``k+``
    / ``k-`` of the positive / negative (key encoder, no gradient):

    * **A** (appearance, InfoNCE at ``temperature`` T): for each key
      ``k in (k+_A, k-_A)``, cross-entropy of the logits
      ``[q_A . k, q_A . queue] / T`` with target 0; ``loss_A`` is the mean
      of the two terms (both clips come from the anchor's video,
      whatever their speed). The positives' keys ``k+_A`` are enqueued.
    * **M** (speed): ``max(0, margin - (q_M . k+_M - q_M . k-_M) / T)``,
      PyTorch's ``MarginRankingLoss`` on T-scaled logits, batch mean.

    ``loss = loss_A + loss_M``. Module names (checkpoint prefixes):
    ``backbone.*`` (the query encoder, what ``--pretrained`` transfers),
    ``neck.*`` (appearance head), ``speed_neck.*`` (speed head),
    ``teacher.module.{0,1,2}.*`` (the key encoder: EMA of backbone, neck,
    speed_neck) and ``anchor_queue.*`` (the A queue). The EMA update and
    the enqueue are :class:`MomentumTeacherHook` and
    :class:`AnchorQueueHook`, exactly as for :class:`AuxSKD` (whose
    ``momentum_update``, ``enqueue_pending`` and ``init_weights`` this
    class inherits).

    Args:
        backbone (dict): encoder, e.g. ``ResNet2Plus1d``.
        neck (dict): appearance head (512 -> 128).
        speed_neck (dict): speed head (512 -> 128).
        queue_size (int): keys in the queue. Defaults to 16384.
        feat_dim (int): embedding size. Defaults to 128.
        temperature (float): T. Defaults to 0.07.
        margin (float): margin of the speed ranking loss. Defaults to 2.0.
        momentum (float): key-encoder EMA momentum m. Defaults to 0.999.
        check_hooks (bool): fail when a hook did not run. Defaults to True.
        data_preprocessor (dict, optional): as for :class:`AuxSKD`.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone, neck, speed_neck, queue_size=16384,
                 feat_dim=128, temperature=0.07, margin=2.0, momentum=0.999,
                 check_hooks=True, data_preprocessor=None, init_cfg=None):
        # AuxSKD.__init__ would also build a predictor and a distillation
        # head, which RSPNet has not
        self._init_base(data_preprocessor, init_cfg, momentum)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.speed_neck = MODELS.build(speed_neck)
        self.temperature = temperature
        self.margin = margin
        self._init_teacher(queue_size, feat_dim, momentum, check_hooks)

    def _student_encoder(self):
        return _Heads(self.backbone, self.neck, self.speed_neck)

    def _split_views(self, inputs):
        if inputs.dim() != 6 or inputs.shape[1] != 3:
            raise ValueError(
                'RSPNet needs (B, 3, C, T, H, W) inputs (anchor, positive, '
                'negative) from RelativeSpeedSampler; got '
                f'{tuple(inputs.shape)}')
        return inputs[:, 0], inputs[:, 1], inputs[:, 2]

    def rsp_losses(self, q_a, q_m, kp_a, kp_m, kn_a, kn_m, queue):
        """loss_A, loss_M and accuracies from normalised embeddings."""
        t = self.temperature
        neg = q_a @ queue.t()  # (B, H)
        loss_a, acc_a = 0., 0.
        for k in (kp_a, kn_a):
            logits = torch.cat([(q_a * k).sum(1, keepdim=True), neg], 1) / t
            target = logits.new_zeros(logits.shape[0], dtype=torch.long)
            loss_a = loss_a + F.cross_entropy(logits, target) / 2
            acc_a = acc_a + (logits.argmax(1) == 0).float().mean() / 2
        pos_m = (q_m * kp_m).sum(1) / t
        neg_m = (q_m * kn_m).sum(1) / t
        loss_m = F.margin_ranking_loss(pos_m, neg_m, torch.ones_like(pos_m),
                                       margin=self.margin)
        return dict(loss_A=loss_a, loss_M=loss_m, acc_A=acc_a,
                    acc_M=(pos_m > neg_m).float().mean())

    def loss(self, inputs, data_samples=None):
        anchor, pos, negative = self._split_views(inputs)
        self._check_hooks_ran()
        q_a, q_m = (F.normalize(z.float(), dim=1)
                    for z in self._student_encoder()(anchor))
        with torch.no_grad():
            k_a, k_m = (F.normalize(z.float(), dim=1) for z in self.teacher(
                torch.cat([pos, negative])))
        kp_a, kn_a = k_a.chunk(2)
        kp_m, kn_m = k_m.chunk(2)
        losses = self.rsp_losses(q_a, q_m, kp_a, kp_m, kn_a, kn_m,
                                 self.anchor_queue.bank)
        if self.training:  # for enqueue_pending (AnchorQueueHook)
            self._pending, self._teacher_updated = kp_a, False
        return losses

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        """Relative speed perception on held-out triplets (no training).

        Sets ``pred_relspeed_label``: 0 when the anchor's speed embedding
        ``q_M`` is closer to the same-speed clip's key ``k+_M`` than to the
        other-speed clip's ``k-_M`` (what ``loss_M`` trains), else 1; and
        ``relspeed_label`` = 0, the truth by construction of the triplet.
        ``PretextAccMetric(tasks=('relspeed', ))`` scores it (chance 0.5).
        """
        anchor, pos, negative = self._split_views(inputs)
        q_m = F.normalize(self.speed_neck(self.backbone(anchor)).float(),
                          dim=1)
        k_m = F.normalize(self.teacher(torch.cat([pos, negative]))[1].float(),
                          dim=1)
        kp_m, kn_m = k_m.chunk(2)
        closer = ((q_m * kp_m).sum(1) > (q_m * kn_m).sum(1)).long()
        for sample, hit in zip(data_samples, closer):
            sample.set_field(1 - hit, 'pred_relspeed_label')
            sample.set_field(0, 'relspeed_label')
        return data_samples

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        return super().forward(inputs, data_samples, mode)


class _Heads(nn.Module):
    """Encoder and both heads: ``x -> (appearance, speed)`` embeddings.

    Children are named ``0``, ``1``, ``2`` as in ``nn.Sequential``."""

    def __init__(self, backbone, neck, speed_neck):
        super().__init__()
        self.add_module('0', backbone)
        self.add_module('1', neck)
        self.add_module('2', speed_neck)

    def forward(self, x):
        feat = self._modules['0'](x)
        return self._modules['1'](feat), self._modules['2'](feat)

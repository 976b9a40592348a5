"""auxSKD's similarity-based knowledge distillation loss (paper Eq. 1-3)."""
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS


@MODELS.register_module()
class SimilarityDistillHead(BaseModule):
    """KL divergence between teacher and student similarities to anchors.

    With ``z_S`` the student embedding (after the predictor), ``z_T`` the
    teacher embedding and ``x_1..x_H`` the anchors of the memory bank, all
    L2-normalised (``sim`` is then the cosine similarity)::

        p_T = softmax_i(sim(z_T, x_i) / temp_teacher)          (Eq. 1)
        p_S = softmax_i(sim(z_S, x_i) / temp_student)          (Eq. 2)
        loss = mean over the batch of KL(p_T || p_S)           (Eq. 3)
             = mean_b sum_i p_T,i (log p_T,i - log p_S,i)

    (Eq. 1 and 2 print a stray ``-log`` in front of the softmax; the text
    calls ``p`` probabilities and Eq. 3 takes their KL divergence, as the
    authors' code does.) Only the student receives gradients: the teacher
    embedding and the anchors are detached here whatever the caller passes.

    Args:
        temp_student (float): gamma_S. Defaults to 0.02 (paper §4.2; the
            authors' code used 0.1).
        temp_teacher (float): gamma_T. Defaults to 0.02 (paper and code).
        loss_weight (float): factor on the loss. Defaults to 1.0.
        init_cfg (dict, optional): unused (no parameters).
    """

    def __init__(self, temp_student=0.02, temp_teacher=0.02, loss_weight=1.0,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if temp_student <= 0 or temp_teacher <= 0:
            raise ValueError('temperatures must be positive, got '
                             f'{temp_student}, {temp_teacher}')
        self.temp_student = temp_student
        self.temp_teacher = temp_teacher
        self.loss_weight = loss_weight

    def forward(self, student, teacher, anchors):
        """Log-probabilities ``(log p_S, log p_T)`` over the anchors.

        Args:
            student (Tensor): (B, D) student embeddings, not necessarily
                normalised.
            teacher (Tensor): (B, D) teacher embeddings, idem.
            anchors (Tensor): (H, D) memory bank, rows L2-normalised.

        Returns:
            tuple[Tensor, Tensor]: two (B, H) log-softmax tensors.
        """
        anchors = anchors.detach().float()
        z_s = F.normalize(student.float(), dim=1)
        z_t = F.normalize(teacher.detach().float(), dim=1)
        log_p_s = F.log_softmax(z_s @ anchors.t() / self.temp_student, dim=1)
        log_p_t = F.log_softmax(z_t @ anchors.t() / self.temp_teacher, dim=1)
        return log_p_s, log_p_t

    def loss(self, student, teacher, anchors):
        """``dict(loss_skd=...)``: Eq. 3 averaged over the batch."""
        log_p_s, log_p_t = self(student, teacher, anchors)
        kl = F.kl_div(log_p_s, log_p_t, reduction='batchmean',
                      log_target=True)
        return dict(loss_skd=self.loss_weight * kl)

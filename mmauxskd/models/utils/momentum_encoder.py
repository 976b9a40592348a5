"""A momentum (EMA) copy of an online encoder: auxSKD's teacher, MoCo's and
RSPNet's key encoder, BYOL's target network."""
import torch
from mmengine.model import ExponentialMovingAverage

__all__ = ['MomentumEncoder', 'check_momentum']


def check_momentum(momentum):
    """``momentum`` if it is a valid m in [0, 1], else ``ValueError``."""
    if not 0 <= momentum <= 1:
        raise ValueError(f'momentum must be in [0, 1], got {momentum}')
    return momentum


class MomentumEncoder(ExponentialMovingAverage):
    r"""A frozen copy of ``online`` that follows it by an exponential moving
    average, :math:`\theta_k \leftarrow m\,\theta_k + (1 - m)\,\theta_q`.

    ``m`` is the weight of the old copy (MoCo's and the papers' convention:
    0.999 keeps 99.9 %). mmengine's :class:`ExponentialMovingAverage`,
    whose state layout this keeps (``module.*``, the copy; ``steps``, the
    number of updates), calls the other weight, ``1 - m``, its ``momentum``;
    that attribute follows every update here.

    Differences from mmengine's ``update_parameters``: every update is the
    formula, the first one too (mmengine copies the online model at its
    first update; here the copy is taken at construction and by
    :meth:`copy_from`, so weights loaded into the online encoder later reach
    the copy only through the average); parameters are averaged with one
    fused ``lerp``; buffers (BN running statistics) are copied from the
    online encoder.

    Protocol with :class:`~mmauxskd.engine.hooks.MomentumTeacherHook`: the
    algorithm's ``momentum_update(m)`` calls :meth:`update` with its online
    encoder; a training forward calls :meth:`require_update` to fail when no
    update ran since the previous step.

    ``online`` may be any module, e.g. ``nn.Sequential(backbone, neck)``
    built on demand from the algorithm's own modules (storing it would
    register them twice), or an ``nn.ModuleDict`` of an encoder and several
    heads. :meth:`update` must get a module with the same structure.

    Args:
        online (nn.Module): the module to copy and follow.
        momentum (float): m, used when :meth:`update` gets none. Defaults
            to 0.999.
    """

    def __init__(self, online, momentum=0.999):
        check_momentum(momentum)
        # mmengine's momentum is 1 - m and must lie in (0, 1)
        super().__init__(online,
                         momentum=min(max(1 - momentum, 1e-6), 1 - 1e-6))
        self.base_momentum = momentum
        self.fresh = False  # update() ran since the last require_update()

    @torch.no_grad()
    def copy_from(self, online):
        """Make the copy equal to ``online`` (after its initialisation)."""
        self.module.load_state_dict(online.state_dict())

    @torch.no_grad()
    def update(self, online, momentum=None):
        """One EMA step towards ``online``'s current weights.

        Args:
            online (nn.Module): the online module (same structure).
            momentum (float, optional): m; defaults to ``base_momentum``.
                ``m = 1`` leaves the parameters (a frozen copy).
        """
        m = check_momentum(self.base_momentum if momentum is None
                           else momentum)
        self.momentum = 1 - m  # mmengine's convention, for repr/avg_func
        mine = list(self.module.parameters())
        theirs = list(online.parameters())
        if len(mine) != len(theirs):
            raise ValueError(f'online module has {len(theirs)} parameters, '
                             f'the momentum copy {len(mine)}')
        if m != 1:
            torch._foreach_lerp_(mine, theirs, 1 - m)
        for buf, src in zip(self.module.buffers(), online.buffers()):
            buf.copy_(src)
        self.steps += 1
        self.fresh = True

    def update_parameters(self, model):
        """mmengine's API, with this class's formula (:meth:`update`)."""
        self.update(model)

    def require_update(self, hook='MomentumTeacherHook'):
        """Raise unless :meth:`update` ran since the previous call.

        A training step calls it once, before using the copy, so that a run
        without ``hook`` fails instead of training against a frozen copy.
        """
        if not self.fresh:
            raise RuntimeError(
                f'the momentum encoder was not updated before this step: '
                f'add dict(type="{hook}") to custom_hooks (or call the '
                "model's momentum_update())")
        self.fresh = False

    def extra_repr(self):
        return f'm={self.base_momentum}'

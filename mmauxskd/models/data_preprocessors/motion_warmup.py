r"""Motion warm-up: a pretext starts on frame differences and ends on RGB.

On a few hundred videos where a small object moves over a static, cluttered
scene, a speed pretext (VSPP, VideoPace) can sit at chance for thousands of
steps: its loss stays at ln K until the network finds a motion feature that
the static shapes do not drown (docs/small_data.md). Fed frame differences,
the same network finds it within a hundred steps. This preprocessor feeds a
blend that starts as the frame differences and becomes the clip itself::

    x'_t = x_t - a(i) x_{t-1},   x'_0 = (1 - a(i)) x_0,
    a(i) = max(0, 1 - i / warmup_iters)

(``x`` the normalised clip, ``t`` its frame, ``i`` the training iteration).
After ``warmup_iters`` steps the backbone trains, is validated and is
finetuned on RGB clips as usual; only the first steps differ. Evaluation
(``training=False``) always sees RGB clips.
"""
from mmengine.logging import MessageHub
from mmaction.registry import MODELS

from .clip_augment import ClipAugmentPreprocessor

__all__ = ['MotionWarmupPreprocessor']


@MODELS.register_module()
class MotionWarmupPreprocessor(ClipAugmentPreprocessor):
    """``ClipAugmentPreprocessor`` whose training inputs fade from frame
    differences to RGB over the first ``warmup_iters`` iterations (the
    module docstring gives the blend).

    The iteration is the Runner's (``MessageHub`` info ``iter``; the count
    of this preprocessor's training calls without a Runner), so a resumed
    run continues the same blend.

    Shapes: as ``ActionDataPreprocessor`` with ``format_shape='NCTHW'``:
    ``(N, V, C, T, H, W)``, the blend along ``T``.

    Args:
        warmup_iters (int): iterations until the input is RGB; 0 turns the
            warm-up off.
        **kwargs: ``ClipAugmentPreprocessor``'s.
    """

    def __init__(self, warmup_iters, **kwargs):
        super().__init__(**kwargs)
        if isinstance(warmup_iters, bool) or not isinstance(
                warmup_iters, int) or warmup_iters < 0:
            raise ValueError('MotionWarmupPreprocessor: warmup_iters must be '
                             f'an int >= 0, got {warmup_iters!r}')
        if self.format_shape != 'NCTHW':
            raise ValueError('MotionWarmupPreprocessor: format_shape must be '
                             f"'NCTHW' (clips), got {self.format_shape!r}")
        self.warmup_iters = warmup_iters
        self._warmup_calls = 0

    def difference_weight(self, iteration):
        """a(i): 1 at the first iteration, 0 from ``warmup_iters`` on."""
        if not self.warmup_iters:
            return 0.0
        return max(0.0, 1.0 - iteration / self.warmup_iters)

    def preprocess(self, inputs, data_samples, training=False):
        inputs, data_samples = super().preprocess(inputs, data_samples,
                                                  training)
        if not training:
            return inputs, data_samples
        it = MessageHub.get_current_instance().get_info('iter')
        if it is None:
            it = self._warmup_calls
        self._warmup_calls += 1
        weight = self.difference_weight(int(it))
        if weight > 0:
            previous = inputs.roll(1, dims=-3)
            previous[..., 0, :, :] = inputs[..., 0, :, :]
            inputs = inputs - weight * previous
        return inputs, data_samples

"""Refuse a loaded checkpoint that does not fit the model."""
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...utils.checkpoint import check_state_dict_fits, checkpoint_state_dict
from ...utils.model import unwrap_model


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Check ``load_from`` against the model before mmengine loads it.

    mmengine loads ``load_from`` non-strictly: another model's checkpoint
    (a pretext checkpoint given to a finetune config, a backbone of another
    width) only logs warnings, and the run goes on with random weights.
    ``tools/test.py`` and ``tools/train.py --pretrained`` add this hook;
    ``after_load_checkpoint`` sees the checkpoint before its tensors reach
    the model and raises :class:`~mmauxskd.utils.checkpoint.
    CheckpointMismatchError` unless every model tensor under ``prefix`` is
    in it with its shape and it holds no other (see
    :func:`~mmauxskd.utils.checkpoint.check_state_dict_fits`).

    Args:
        source (str): the checkpoint the user named, for the message.
        prefix (str): the part of the model that must fit (``''``: all).
        allow_partial (bool): warn instead of raising.
        hint (str): what to do instead, appended to the message.
    """

    priority = 'VERY_HIGH'

    def __init__(self, source, prefix='', allow_partial=False, hint=''):
        self.source = source
        self.prefix = prefix
        self.allow_partial = allow_partial
        self.hint = hint

    def after_load_checkpoint(self, runner, checkpoint):
        model = unwrap_model(runner.model)
        check_state_dict_fits(
            model.state_dict(), checkpoint_state_dict(checkpoint),
            self.source, self.prefix, self.allow_partial, self.hint)

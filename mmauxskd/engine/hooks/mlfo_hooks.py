"""MLFO's two-stage schedule: the model is told the epoch every step."""
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...utils.model import unwrap_model


@HOOKS.register_module()
class MLFOStageHook(Hook):
    """Before every training step, ``model.set_epoch(epoch, max_epochs)``.

    The model derives from it the stage (graph losses from
    ``graph_start * max_epochs``), the prototype freeze (first epoch) and
    the score queue's start (``MLFO``'s docstring). Everything is a function
    of the runner's epoch, which ``--resume`` restores, and the model keeps
    the epoch in its state dict, so a resumed run is in the same stage.
    The current stage is logged as ``train/mlfo_stage`` (1 or 2).
    """

    priority = 'ABOVE_NORMAL'

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = unwrap_model(runner.model)
        if not hasattr(model, 'set_epoch'):
            raise TypeError(f'{type(model).__name__} has no set_epoch(): '
                            'MLFOStageHook is for MLFO')
        model.set_epoch(runner.epoch, runner.max_epochs)
        runner.message_hub.update_scalar('train/mlfo_stage',
                                         2 if model.graph_active else 1)

"""The model behind a Runner's wrapper (DDP, FSDP, ...)."""
from mmengine.model import is_model_wrapper

__all__ = ['unwrap_model']


def unwrap_model(model):
    """``model.module`` if ``model`` is one of mmengine's model wrappers
    (``MMDistributedDataParallel`` and friends), else ``model``; hooks pass
    ``runner.model``."""
    return model.module if is_model_wrapper(model) else model

from .checkpoint import (UnsafeCheckpointError,
                         register_safe_checkpoint_globals, safe_torch_load)
from .compat import apply_all as apply_compat_fixes
from .model import unwrap_model

__all__ = [
    'UnsafeCheckpointError', 'register_safe_checkpoint_globals',
    'safe_torch_load', 'apply_compat_fixes', 'unwrap_model'
]

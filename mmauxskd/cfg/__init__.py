"""Config helpers: the one home of what configs and tools import to build
pipelines, loaders and schedules, split by concern:

* :mod:`.pipeline` -- edit a pipeline (``update_pipeline``,
  ``replace_sampler``, ``multi_view_pipeline``, ``group_augment``);
* :mod:`.decoders` -- switch the video decoder (``set_decoder``,
  ``set_config_decoder``, ``to_rawframes``, ``decoder_spec``,
  ``cache_frames``);
* :mod:`.device` -- flip and colour jitter moved to the model's
  ``ClipAugmentPreprocessor`` (``move_augments``, ``restore_augments``);
* :mod:`.deterministic` -- the one declaration of random transforms and
  ``deterministic_pipeline``;
* :mod:`.heldout` -- held-out pretext evaluation (``pretext_val``,
  ``instance_val``);
* :mod:`.data` -- training / demo / gallery data of leaf configs;
* :mod:`.schedule` -- iteration budgets (``iter_schedule``, ``take_off``);
* :mod:`.check` -- the build-time geometry check;
* :mod:`.vi2clr`, :mod:`.mlfo` -- those methods' pipelines.

Every public name is importable from here::

    from mmauxskd.cfg import iter_schedule, update_pipeline
    train_pipeline = update_pipeline(_base_.train_pipeline,
                                     RandomCrop=dict(size=32))

The package imports no other mmauxskd subpackage at import time (classes
are looked up in the registry, pretext samplers' base class imported when
needed), and ``mmauxskd.datasets`` does not import it.
"""
from .check import check_clip_geometry, check_loader_batches
from .data import (config_variable, config_variables, demo_data,
                   frame_loaders, gallery_loader, pretext_data)
from .decoders import (AUTO_DECODERS, DECODER_BACKENDS, VIDEO_DECODERS,
                       VIDEO_INITS, cache_frames, decoder_spec,
                       set_config_decoder,
                       set_decoder, to_rawframes)
from .device import (DEVICE_AUGMENTS, check_draw_groups, device_augments,
                     double_augments, move_augments, restore_augments)
from .deterministic import (RANDOM_TRANSFORMS, deterministic_pipeline,
                            is_pretext_sampler)
from .heldout import (heldout_val, instance_pipeline, instance_val,
                      pretext_val)
from .mlfo import mlfo_pipeline, mlfo_pretext_val, mlfo_transforms
from .pipeline import (group_augment, multi_view_pipeline, replace_sampler,
                       sampler_label_keys, update_pipeline)
from .schedule import iter_schedule, take_off
from .vi2clr import (PACK_META_KEYS, cluster_pipeline, midframe_data,
                     vi2clr_train_pipeline)
from .walk import loader_datasets, transforms_of

__all__ = [
    'check_clip_geometry', 'check_loader_batches', 'config_variable',
    'config_variables', 'demo_data', 'frame_loaders', 'gallery_loader',
    'pretext_data', 'AUTO_DECODERS', 'DECODER_BACKENDS', 'VIDEO_DECODERS',
    'VIDEO_INITS', 'cache_frames', 'decoder_spec', 'set_config_decoder',
    'set_decoder', 'to_rawframes',
    'RANDOM_TRANSFORMS', 'deterministic_pipeline', 'is_pretext_sampler',
    'DEVICE_AUGMENTS', 'check_draw_groups', 'device_augments',
    'double_augments', 'move_augments', 'restore_augments',
    'heldout_val', 'instance_pipeline', 'instance_val', 'pretext_val',
    'mlfo_pipeline', 'mlfo_pretext_val',
    'mlfo_transforms', 'group_augment', 'replace_sampler',
    'sampler_label_keys', 'multi_view_pipeline', 'update_pipeline',
    'iter_schedule', 'take_off', 'PACK_META_KEYS', 'cluster_pipeline',
    'midframe_data',
    'vi2clr_train_pipeline', 'loader_datasets', 'transforms_of'
]

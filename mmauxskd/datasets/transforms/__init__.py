from .multi_view import MultiViewClips  # noqa: F401
from .segment_pace import SegmentPaceSampler  # noqa: F401
from .clip_order import ClipOrderSampler, clip_orders  # noqa: F401
from .relative_speed import RelativeSpeedSampler  # noqa: F401
from .clip_groups import ClipGroupAugment  # noqa: F401
from .color_jitter import ClipColorJitter  # noqa: F401
from .frame_cache import CachedVideoDecode, CachedVideoInit  # noqa: F401
from .video_readers import (PyAVSeekDecode, PyAVSeekInit,  # noqa: F401
                            TorchCodecDecode, TorchCodecInit)
from .image_clip import LoadImageAsClip  # noqa: F401
from .mlfo_views import (FrameColorJitter, FrameRandomGray,  # noqa: F401
                         MLFOWindowSampler, ViewsOfOneDraw)
from .seeded_views import SeededViews  # noqa: F401

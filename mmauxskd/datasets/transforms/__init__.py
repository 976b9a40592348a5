from .segment_pace import SegmentPaceSampler, replace_sampler  # noqa: F401

from .broken_video_hook import BrokenVideoReportHook

__all__ = ['BrokenVideoReportHook']

from .anchor_queue import AnchorQueue, gather_across_ranks

__all__ = ['AnchorQueue', 'gather_across_ranks']

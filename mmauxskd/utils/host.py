"""The machine a timing was taken on, for the tools that record one."""
import platform

__all__ = ['cpu_model']


def cpu_model():
    """The CPU's model name (``/proc/cpuinfo`` on Linux), else what
    :mod:`platform` says (``platform.processor()`` or the architecture)."""
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            model = next(x.split(':', 1)[1].strip() for x in f
                         if x.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return model

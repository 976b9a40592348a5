from .vspp import VSPP  # noqa: F401

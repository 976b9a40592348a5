from . import algorithms, backbones, heads, necks, utils  # noqa: F401

from .mlp_neck import VideoMLPNeck  # noqa: F401

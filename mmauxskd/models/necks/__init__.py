from .mlp_neck import VideoMLPNeck  # noqa: F401
from .motion_excitation import MLFOLevelNeck, MotionExcitation  # noqa: F401

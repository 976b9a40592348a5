from .mlfo_level_neck import MLFOLevelNeck  # noqa: F401
from .mlp_neck import VideoMLPNeck  # noqa: F401
from .motion_excitation import MotionExcitation  # noqa: F401

from .auxskd import AuxSKD  # noqa: F401
from .vspp import VSPP  # noqa: F401
from .vcop import VCOP  # noqa: F401
from .rspnet import RSPNet  # noqa: F401
from .mlfo import MLFO  # noqa: F401
from .vi2clr import Vi2CLR  # noqa: F401

from . import (algorithms, backbones, data_preprocessors, heads,  # noqa: F401
               necks, utils)

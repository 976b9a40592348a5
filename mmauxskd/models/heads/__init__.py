from .similarity_distill_head import SimilarityDistillHead  # noqa: F401
from .vspp_head import VSPPHead  # noqa: F401
from .vcop_head import VCOPHead  # noqa: F401
from .mil_nce_head import MILNCEHead  # noqa: F401
from .center_nce_head import CenterNCEHead  # noqa: F401

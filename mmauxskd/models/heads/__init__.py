from .contrastive_head import ContrastiveHead  # noqa: F401
from .similarity_distill_head import SimilarityDistillHead  # noqa: F401
from .vspp_head import VSPPHead  # noqa: F401
from .vcop_head import VCOPHead  # noqa: F401

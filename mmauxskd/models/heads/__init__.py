from .contrastive_head import ContrastiveHead  # noqa: F401
from .similarity_distill_head import SimilarityDistillHead  # noqa: F401
from .vspp_head import VSPPHead  # noqa: F401
from .vcop_head import VCOPHead  # noqa: F401
from .mlfo_instance_head import MLFOInstanceHead  # noqa: F401
from .mlfo_semantic_head import MLFOSemanticHead  # noqa: F401
from .mlfo_graph_head import MLFOGraphHead  # noqa: F401
from .mlfo_temporal_head import MLFOTemporalHead  # noqa: F401

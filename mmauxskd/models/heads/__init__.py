from .vspp_head import VSPPHead  # noqa: F401

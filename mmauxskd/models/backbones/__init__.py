from .fast_temporal_resnet2plus1d import FastTemporalResNet2Plus1d

__all__ = ['FastTemporalResNet2Plus1d']

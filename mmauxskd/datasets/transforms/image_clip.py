"""An image file as a one-frame clip, so MMAction2's pipelines read images.

The image-side evaluations of Vi²CLR's 2D encoder on ImageNet and VOC07
(``configs/vi2clr/image_eval/*imagenet*``, ``*voc07*``) list image files as
a ``VideoDataset`` lists videos (``path label`` or, multi-label,
``path l1 l2 ...``); this transform decodes the file and hands MMAction2's
``Resize`` / ``RandomResizedCrop`` / ``Flip`` / ``FormatShape('NCHW')`` the
one frame they expect. Broken files raise, so ``RobustVideoDataset`` skips
(training) or names (test) them.
"""
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.fileio import get

from mmaction.registry import TRANSFORMS

__all__ = ['LoadImageAsClip']


@TRANSFORMS.register_module()
class LoadImageAsClip(BaseTransform):
    """Decode ``results['filename']`` (any format OpenCV reads) to a clip of
    one RGB frame.

    Required keys: ``filename``. Added: ``imgs`` (a list of one
    ``H x W x 3`` uint8 RGB frame), ``original_shape``, ``img_shape``,
    ``frame_inds`` (``[0]``), ``clip_len`` (1), ``num_clips`` (1),
    ``frame_interval`` (None), ``total_frames`` (1).

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self, backend_args=None):
        self.backend_args = backend_args

    def transform(self, results):
        img = mmcv.imfrombytes(get(results['filename'], self.backend_args),
                               channel_order='rgb')
        if img is None:
            raise ValueError(f'cannot decode {results["filename"]} as an '
                             'image')
        if img.ndim == 2:  # greyscale files
            img = np.repeat(img[..., None], 3, axis=2)
        results.update(imgs=[img], original_shape=img.shape[:2],
                       img_shape=img.shape[:2], frame_inds=np.array([0]),
                       clip_len=1, num_clips=1, frame_interval=None,
                       total_frames=1)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'

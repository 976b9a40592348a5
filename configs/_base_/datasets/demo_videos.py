# The bundled demo (tools/data/make_demo_data.py): the UCF101 setting
# (ucf101_split1_videos.py, whose variables this file reads) on 64x64
# synthetic videos whose 4 classes are up/down x slow/fast. Only what must
# shrink for 2 CPU cores shrinks: frame size (short side 40, crop 32) and
# batch size. Sampling, augmentation and the 10-clip test are the real
# ones. Splits (tools/data/make_demo_data.py): 16 labelled training videos
# (4 per class), 32 validation videos, 80 test videos.
_base_ = []
from mmauxskd.cfg import (cache_frames, config_variables,  # noqa: E402
                          update_pipeline)

data_root = 'data/demo/videos'
ann_file_train = 'data/demo/demo_train_list_videos.txt'
ann_file_val = 'data/demo/demo_val_list_videos.txt'
ann_file_test = 'data/demo/demo_test_list_videos.txt'
ann_file_unlabelled = 'data/demo/demo_unlabelled_list_videos.txt'
prepare_hint = 'run `python tools/data/make_demo_data.py --out data/demo`'
num_classes = 4
(dataset_type, train_pipeline, val_pipeline, test_pipeline, val_evaluator,
 test_evaluator) = config_variables(
    '{{fileDirname}}/ucf101_split1_videos.py', 'dataset_type',
    'train_pipeline', 'val_pipeline', 'test_pipeline', 'val_evaluator',
    'test_evaluator')
_small = dict(Resize=dict(scale=(-1, 40)))
# decoded with the UCF101 setting's PyAV, as the unlabelled demo videos
# (_base_/datasets/demo_unlabelled.py), each video once per loader process
# (cache_frames, as demo_unlabelled.py's demo_cache)
train_pipeline = cache_frames(update_pipeline(
    train_pipeline, RandomCrop=dict(size=32), **_small))
val_pipeline = cache_frames(update_pipeline(
    val_pipeline, CenterCrop=dict(crop_size=32), **_small))
test_pipeline = cache_frames(update_pipeline(
    test_pipeline, CenterCrop=dict(crop_size=32), **_small))
_paths = dict(data_prefix=dict(video=data_root), prepare_hint=prepare_hint)
# CPU runs: no pinned memory (PyTorch would warn that it has no GPU)
_loader = dict(batch_size=8, num_workers=2, pin_memory=False)
# UCF101's loaders with these lists and pipelines; recipes are chosen on
# the validation split, the test split is reported
train_dataloader, val_dataloader, test_dataloader = config_variables(
    '{{fileDirname}}/ucf101_split1_videos.py', 'train_dataloader',
    'val_dataloader', 'test_dataloader',
    train_dataloader=dict(dataset=dict(
        ann_file=ann_file_train, pipeline=train_pipeline, **_paths),
        **_loader),
    val_dataloader=dict(dataset=dict(
        ann_file=ann_file_val, pipeline=val_pipeline, **_paths), **_loader),
    test_dataloader=dict(dataset=dict(
        ann_file=ann_file_test, pipeline=test_pipeline, **_paths),
        num_workers=2, pin_memory=False))

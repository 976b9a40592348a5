# The demo's unlabelled split for the pretext demos, as variables a demo
# config combines with a real pretext config (the keys do not clash):
#   _base_ = ['./<real pretext config>.py',
#             '../_base_/datasets/demo_unlabelled.py']
#   train_pipeline = update_pipeline(_base_.train_pipeline,
#                                    **_base_.demo_geometry)
#   train_dataloader = dict(**_base_.demo_loader, dataset=dict(
#       pipeline=train_pipeline, **_base_.demo_unlabelled))
# Frame size as in demo_videos.py (short side 40, crop 32), batch 8.
demo_geometry = dict(Resize=dict(scale=(-1, 40)), RandomCrop=dict(size=32))
demo_loader = dict(batch_size=8, num_workers=2)
demo_unlabelled = dict(
    ann_file='data/demo/demo_unlabelled_list_videos.txt',
    data_prefix=dict(video='data/demo/videos'),
    prepare_hint='run `python tools/data/make_demo_data.py --out data/demo`')

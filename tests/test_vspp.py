"""VSPP model, head and configs: Eq. 5, training, ablations, transfer."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from conftest import ROOT, load_tool
from mmauxskd.cfg import update_pipeline

MAIN = 'configs/vspp/vspp_r3d-18_2xb15-16x1x1-20e_k100-rgb.py'
MAIN_R21D = 'configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py'
DEMO = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'
# the demo's finetuning, as wide as the demo VSPP backbone
FINETUNE = 'configs/finetune/r2plus1d-r10-w8_1xb8-16x1x1-160it_demo-rgb.py'
VSPP_CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', 'vspp', '*.py')) +
    glob.glob(osp.join(ROOT, 'configs', 'videopace', '*.py')))
# a small 3D backbone for the optimisation tests
TINY_BACKBONE = dict(type='ResNet3d', depth=18, base_channels=8,
                     pretrained=None, pretrained2d=False,
                     conv1_stride_t=1, pool1_stride_t=1,
                     inflate=(1, 1, 1, 1))


def load(path):
    return Config.fromfile(osp.join(ROOT, path))


def samples(paces, segments):
    out = []
    for p, s in zip(paces, segments):
        d = ActionDataSample()
        d.set_field(p, 'pace_label')
        d.set_field(s, 'segment_label')
        out.append(d)
    return out


# ---------------------------------------------------------------- head --


def test_head_shapes_and_eq5():
    head = MODELS.build(dict(type='VSPPHead', in_channels=16,
                             loss_pace_weight=0.5, loss_segment_weight=2.0))
    head.init_weights()
    feats = torch.randn(4, 16, 2, 3, 3)
    logits = head(feats)
    assert logits['pace'].shape == (4, 4)
    assert logits['segment'].shape == (4, 4)
    assert torch.allclose(head(feats.mean((2, 3, 4)))['pace'],
                          logits['pace'])
    data = samples([0, 1, 2, 3], [-1, 0, 3, 2])
    losses = head.loss(feats, data)
    pace = F.cross_entropy(logits['pace'], torch.tensor([0, 1, 2, 3]))
    seg = F.cross_entropy(logits['segment'][1:], torch.tensor([0, 3, 2]))
    assert torch.allclose(losses['loss_pace'], 0.5 * pace)
    assert torch.allclose(losses['loss_segment'], 2.0 * seg)  # λ=1 ignored
    acc = (logits['segment'][1:].argmax(1) == torch.tensor([0, 3, 2]))
    assert torch.allclose(losses['acc_segment'], acc.float().mean())
    assert set(losses) == {'loss_pace', 'loss_segment', 'acc_pace',
                           'acc_segment'}


def test_head_all_unaltered_batch_gives_zero_segment_loss():
    head = MODELS.build(dict(type='VSPPHead', in_channels=8))
    feats = torch.randn(3, 8, requires_grad=True)
    losses = head.loss(feats, samples([0, 0, 0], [-1, -1, -1]))
    assert losses['loss_segment'].item() == 0
    (losses['loss_pace'] + losses['loss_segment']).backward()
    assert torch.isfinite(feats.grad).all()


@pytest.mark.parametrize('switch,gone', [('with_pace', 'pace'),
                                         ('with_segment', 'segment')])
def test_head_switches(switch, gone):
    head = MODELS.build(dict(type='VSPPHead', in_channels=8, **{switch:
                                                                False}))
    assert getattr(head, f'fc_{gone}') is None
    assert not any(f'fc_{gone}' in k for k in head.state_dict())
    losses = head.loss(torch.randn(2, 8), samples([1, 2], [0, 1]))
    assert not any(gone in k for k in losses) and len(losses) == 2


def test_head_rejects_bad_settings_and_labels():
    with pytest.raises(ValueError, match='num_segments'):
        MODELS.build(dict(type='VSPPHead', num_segments=1))
    with pytest.raises(ValueError, match='both'):
        MODELS.build(dict(type='VSPPHead', with_pace=False,
                          with_segment=False))
    head = MODELS.build(dict(type='VSPPHead', in_channels=8, num_segments=2))
    with pytest.raises(ValueError, match='num_segments'):
        head.loss(torch.randn(1, 8), samples([1], [3]))
    with pytest.raises(KeyError, match='algorithm_keys'):
        head.loss(torch.randn(1, 8), [ActionDataSample()])


# --------------------------------------------------------------- model --


def tiny_batch(cfg, data, n=2):
    """Run ``cfg``'s own training pipeline (frames shrunk) on tiny videos."""
    dataset = cfg.train_dataloader.dataset
    dataset = dataset.get('dataset', dataset)
    pipeline = Compose(update_pipeline(
        dataset.pipeline, Resize=dict(scale=(-1, 40)),
        RandomCrop=dict(size=32)))
    videos = sorted(glob.glob(osp.join(data, 'videos', 'unlabelled',
                                       '*.mp4')))[:n]
    return pseudo_collate([
        pipeline(dict(filename=v, label=-1, start_index=0, modality='RGB'))
        for v in videos])


def test_modes_and_state_dict_keys():
    model = MODELS.build(dict(type='VSPP', backbone=TINY_BACKBONE,
                              head=dict(type='VSPPHead', in_channels=64)))
    keys = set(model.state_dict())
    assert {k.split('.')[0] for k in keys} == {'backbone', 'head'}
    x = torch.randn(2, 1, 3, 8, 32, 32)
    logits = model(x)
    assert logits['pace'].shape == (2, 4)
    assert torch.allclose(model(x[:, 0])['pace'], logits['pace'])
    preds = model(x, samples([0, 1], [-1, 0]), mode='predict')
    assert preds[0].pred_pace_score.shape == (4, )
    assert int(preds[1].pred_segment_label) in range(4)
    with pytest.raises(RuntimeError, match='mode'):
        model(x, mode='nope')


def test_steps_on_a_fixed_batch_drive_both_losses_down(tiny_data):
    torch.manual_seed(0)
    np.random.seed(0)
    cfg = load(MAIN)
    cfg.model.backbone = TINY_BACKBONE
    cfg.model.head.in_channels = 64
    # a fixed batch: no flip or jitter drawn anew on the device every step
    cfg.model.data_preprocessor.augments = []
    model = MODELS.build(cfg.model)
    model.init_weights()
    batch = tiny_batch(cfg, tiny_data, n=4)
    # every clip with an altered segment, so both tasks have 4 targets
    for i, sample in enumerate(batch['data_samples']):
        sample.pace_label, sample.segment_label = 1 + i % 3, i % 4
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    history = [model.train_step(batch, optim) for _ in range(8)]
    for key in ('loss_pace', 'loss_segment'):
        first, last = history[0][key].item(), history[-1][key].item()
        assert last < 0.5 * first, (key, [h[key].item() for h in history])


# ------------------------------------------------------------- configs --


def flat(obj, prefix=''):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(flat(v, f'{prefix}{k}.'))
        return out
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], dict):
        out = {}
        for i, v in enumerate(obj):
            out.update(flat(v, f'{prefix}{i}.'))
        return out
    return {prefix[:-1]: obj}


def changed(a, b):
    fa, fb = flat(load(a).to_dict()), flat(load(b).to_dict())
    return {k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)}


_SAMPLER = {'vspp_sampler.{}', 'train_pipeline.1.{}',
            'train_dataloader.dataset.pipeline.1.{}'}


def sampler_keys(*names):
    return {k.format(n) for k in _SAMPLER for n in names}


@pytest.mark.parametrize('variant,expected', [
    ('configs/vspp/vspp-z2_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
     sampler_keys('num_segments') | {'model.head.num_segments'}),
    ('configs/vspp/vspp-z3_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
     sampler_keys('num_segments', 'uneven_segments') |
     {'model.head.num_segments'}),
    ('configs/vspp/vspp-pace-only_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
     {'model.head.with_segment'}),
    ('configs/vspp/vspp-segment-only_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
     {'model.head.with_pace'}),
    ('configs/videopace/videopace_r3d-18_2xb15-16x1x1-20e_k100-rgb.py',
     sampler_keys('num_segments') |
     {'model.head.num_segments', 'model.head.with_segment'}),
])
def test_ablations_differ_only_in_what_they_should(variant, expected):
    assert changed(MAIN, variant) == expected


def test_ablation_values():
    z3 = load('configs/vspp/vspp-z3_r3d-18_2xb15-16x1x1-20e_k100-rgb.py')
    sampler = z3.train_dataloader.dataset.pipeline[1]
    assert sampler.num_segments == z3.model.head.num_segments == 3
    pace = load('configs/videopace/'
                'videopace_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py')
    assert pace.train_dataloader.dataset.pipeline[1].num_segments == 1
    assert pace.model.head.with_segment is False
    assert changed(MAIN_R21D, 'configs/videopace/videopace_r2plus1d-r10_'
                   '2xb15-16x1x1-20e_k100-rgb.py') == changed(
                       MAIN, 'configs/videopace/videopace_r3d-18_'
                       '2xb15-16x1x1-20e_k100-rgb.py')


def test_main_configs_follow_the_paper():
    for path in VSPP_CONFIGS:
        if 'demo' in path:
            continue
        cfg = load(path)
        loader = cfg.train_dataloader
        assert loader.batch_size * 2 == 30 and '2xb15' in path
        assert cfg.train_cfg.max_epochs == 20
        opt = cfg.optim_wrapper.optimizer
        assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == (
            'SGD', 1e-3, 0.9, 5e-4)
        assert cfg.param_scheduler[0].step_size == 6
        dataset = loader.dataset.get('dataset', loader.dataset)
        types = [t['type'] for t in dataset.pipeline]
        assert types[1] == 'SegmentPaceSampler'
        # crop in the workers; flip and colour jitter on the device
        assert 'RandomCrop' in types
        assert not {'Flip', 'ClipColorJitter'} & set(types)
        assert [a['type'] for a in cfg.model.data_preprocessor.augments] \
            == ['Flip', 'ClipColorJitter']
        assert dataset.pipeline[types.index('RandomCrop')]['size'] == 112
        assert cfg.get('val_dataloader') is None
    # the backbone and the dataset are the only differences between mains
    assert changed(MAIN_R21D, MAIN) <= {
        k for k in flat(load(MAIN).to_dict()) | flat(load(MAIN_R21D).to_dict())
        if k.startswith(('backbone.', 'model.backbone.'))}
    assert changed(MAIN, MAIN.replace('k100', 'k400')) == {
        'ann_file_train', 'train_dataloader.dataset.ann_file'}
    ucf = load(MAIN.replace('k100', 'ucf101-split1'))
    assert ucf.train_dataloader.dataset.times == 10


def test_demo_keeps_the_method_and_shrinks_by_the_small_data_rule():
    """docs/small_data.md: against the K-100 config the demo changes only
    data, frame size, decoder, width (and the CPU route of the same
    backbone's temporal convs), loader, lr, the step budget (held until the
    task leaves chance, TakeOffHook), the motion warm-up of its first steps'
    input and its held-out validation; sampler, augmentation, heads and
    losses stay."""
    # demo_* are the variables the demo draws its overrides from
    # (_base_/datasets/demo_unlabelled.py, vspp/_base_/vspp_demo.py) and
    # _* the bases' private helpers; the Runner reads none of them
    keys = {k for k in changed(MAIN_R21D, DEMO)
            if not k.startswith(('demo_', '_'))}
    allowed_roots = (
        'train_dataloader.batch_size', 'train_dataloader.num_workers',
        'train_dataloader.pin_memory',  # no GPU to pin for on the demo
        'train_dataloader.dataset.ann_file',
        'train_dataloader.dataset.data_prefix',
        'train_dataloader.dataset.prepare_hint', 'train_cfg',
        'param_scheduler', 'log_processor', 'default_hooks',
        'optim_wrapper.optimizer.lr', 'model.backbone.base_channels',
        'model.backbone.type',  # ResNet2Plus1d -> its fast-CPU-conv subclass
        'model.head.in_channels', 'val_dataloader', 'val_evaluator',
        'val_cfg')
    # the flip and colour jitter that the real config's preprocessor draws
    # on the device, back in the demo's worker after its crop (checked
    # below), and a preprocessor that only normalises
    allowed_roots += ('model.data_preprocessor.augments', )
    # the motion warm-up: ClipAugmentPreprocessor's subclass and its length;
    # the runtime's hooks and TakeOffHook after them
    allowed_roots += ('model.data_preprocessor.type',
                      'model.data_preprocessor.warmup_iters',
                      'custom_hooks.3.')
    for root in ('train_pipeline.', 'train_dataloader.dataset.pipeline.'):
        allowed_roots += (root + '0.', root + '2.', root + '3.scale',
                          root + '4.size',  # decoder, Resize, RandomCrop
                          root + '5.', root + '6.', root + '7.', root + '8.')
    assert all(k.startswith(allowed_roots) for k in keys), sorted(
        k for k in keys if not k.startswith(allowed_roots))
    demo = load(DEMO)
    real = load(MAIN_R21D)
    assert demo.train_pipeline[5:7] == real.model.data_preprocessor.augments
    assert demo.train_pipeline[7:] == real.train_pipeline[5:]
    assert demo.model.data_preprocessor.augments == []
    assert demo.model.data_preprocessor.type == 'MotionWarmupPreprocessor'
    assert demo.custom_hooks[:3] == real.custom_hooks
    assert demo.train_dataloader.batch_size == 12
    assert demo.train_pipeline[4]['size'] == 32
    assert demo.model.head.type == 'VSPPHead'
    assert (load(MAIN_R21D).model.backbone.type, demo.model.backbone.type) \
        == ('ResNet2Plus1d', 'FastTemporalResNet2Plus1d')
    assert demo.train_pipeline[1] == load(MAIN_R21D).train_pipeline[1]


@pytest.mark.parametrize('path', VSPP_CONFIGS)
def test_config_builds_and_trains_one_step(path, tiny_data):
    torch.manual_seed(0)
    np.random.seed(0)
    cfg = load(path)
    model = MODELS.build(cfg.model)
    model.init_weights()
    batch = tiny_batch(cfg, tiny_data)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    losses = model.train_step(batch, optim)
    head = cfg.model.head
    want = {f'loss_{t}' for t in ('pace', 'segment')
            if head.get(f'with_{t}', True)}
    assert want <= set(losses) and all(
        np.isfinite(losses[k].item()) for k in want)


def test_finetune_loads_the_vspp_backbone(tiny_data, tmp_path):
    """A real VSPP Runner checkpoint -> the stock finetuning Recognizer3D."""
    cfg = load(DEMO)
    videos = osp.join(tiny_data, 'videos')
    with open(osp.join(tiny_data, 'demo_unlabelled_list_videos.txt')) as f:
        lines = f.read().split('\n')[:2]
    ann = tmp_path / 'two.txt'
    ann.write_text('\n'.join(lines) + '\n')
    cfg.train_dataloader.update(batch_size=2, num_workers=0,
                                persistent_workers=False)
    cfg.train_dataloader.dataset.update(
        ann_file=str(ann), data_prefix=dict(video=videos))
    cfg.train_cfg.max_epochs = 1
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = osp.join(cfg.work_dir, 'epoch_1.pth')
    trained = {k: v.clone() for k, v in runner.model.state_dict().items()}
    fresh = MODELS.build(load(FINETUNE).model)
    fresh.init_weights()

    def check(recognizer):
        state = recognizer.state_dict()
        backbone = [k for k in state if k.startswith('backbone.')]
        assert backbone and all(k in trained for k in backbone)
        for k in backbone:
            assert torch.equal(state[k], trained[k]), k
        head = state['cls_head.fc_cls.weight']
        assert head.shape == (4, 64) and 0.005 < head.std() < 0.02

    # the VSPP backbone differs from a fresh one: the checks can fail
    assert any(not torch.equal(fresh.state_dict()[k], trained[k])
               for k in fresh.state_dict() if k.startswith('backbone.')
               and trained[k].is_floating_point())
    # 1. mmengine's Pretrained init (mmaction 1.2.0's BaseRecognizer takes
    #    no init_cfg argument, so it is set on the built model)
    recognizer = MODELS.build(load(FINETUNE).model)
    recognizer.init_cfg = dict(type='Pretrained', checkpoint=ckpt)
    recognizer.init_weights()
    check(recognizer)
    # 2. the project's path: tools/train.py FINETUNE --pretrained CKPT
    tool = load_tool('train.py')
    path = osp.join(ROOT, FINETUNE)
    args = tool.parse_args([path, '--work-dir', str(tmp_path / 'ft'),
                            '--pretrained', ckpt])
    fcfg = tool.merge_args(Config.fromfile(path), args)
    fcfg.train_dataloader.dataset.update(
        ann_file=str(ann), data_prefix=dict(video=videos))
    fcfg.val_dataloader.dataset.update(
        ann_file=str(ann), data_prefix=dict(video=videos))
    fcfg.test_dataloader.dataset.update(
        ann_file=str(ann), data_prefix=dict(video=videos))
    finetune = Runner.from_cfg(fcfg)
    finetune._init_model_weights()  # what runner.train() does first,
    finetune.load_or_resume()  # then this
    check(finetune.model)


# --------------------------------------------------------------- tools --


def _tool(name):
    return load_tool(f'{name}.py')


def _stock():
    """The benchmark's MMAction2 baseline: ``:stock`` (its decord) where
    decord is installed, else ``:sampleframes`` (decord is optional)."""
    try:
        import decord  # noqa: F401
    except ImportError:
        return 'sampleframes'
    return 'stock'


def test_visualize_tool(tiny_data, tmp_path):
    tool = _tool('visualize_vspp')
    video = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                      '*.mp4')))[0]
    out = str(tmp_path / 'clip.png')
    tool.main([video, '--out', out, '--pace', '2', '--segment', '3',
               '--start', '1', '--config', MAIN])
    import matplotlib.image
    assert matplotlib.image.imread(out).shape[0] > 100
    from mmaction.registry import TRANSFORMS
    frames, inds, labels, n = tool.sample(
        video, TRANSFORMS.build(tool.find_sampler(MAIN)), None, 2, 3, 1)
    assert inds.tolist() == list(range(1, 9)) + [10, 12, 14, 16, 17, 18, 19,
                                                  20]
    assert frames.shape[0] == 16 and labels['segment_label'] == 2


def test_benchmark_tool(tiny_data, capsys):
    tool = _tool('benchmarks/pipeline')
    videos = osp.join(tiny_data, 'videos', 'unlabelled', '*.mp4')
    stats = tool.main(['--videos', videos, '--repeats', '1', '--warmup',
                       '0', '--pipeline', f'vspp={MAIN}', '--pipeline',
                       f'stock={MAIN}:{_stock()}'])
    assert stats['vspp'][videos][0] == stats['stock'][videos][0] == 8
    printed = capsys.readouterr().out
    assert 'vspp/stock' in printed and 'SampleFrames' in printed
    vspp = tool.train_pipeline(load(MAIN))
    stock = [t['type'] for t in tool.stock_variant(vspp)]
    ours = [t['type'] for t in vspp]
    # MMAction2's own: its sampler, decord and ColorJitter for ours
    assert stock == [{'SegmentPaceSampler': 'SampleFrames',
                      'PyAVSeekInit': 'DecordInit',
                      'PyAVSeekDecode': 'DecordDecode',
                      'ClipColorJitter': 'ColorJitter'}.get(t, t)
                     for t in ours]
    only_sampler = tool.stock_variant(vspp, transforms=False)
    assert [t for t in only_sampler if t['type'] != 'SampleFrames'] == [
        t for t in vspp if t['type'] != 'SegmentPaceSampler']
    if _stock() == 'sampleframes':  # without decord: said at once
        with pytest.raises(ImportError, match=r'pip install -e \.\[decord'):
            tool.parse_pipeline(f'stock={MAIN}:stock')


def test_benchmark_counts_the_clips_of_multi_clip_samples(tiny_data, capsys):
    """An RSPNet sample is 3 clips: clips/s is 3 x samples/s."""
    tool = _tool('benchmarks/pipeline')
    videos = osp.join(tiny_data, 'videos', 'unlabelled', '*.mp4')
    rspnet = osp.join(
        ROOT, 'configs/rspnet/rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py')
    stats = tool.main(['--videos', videos, '--repeats', '1', '--warmup',
                       '0', '--pipeline', f'rspnet={rspnet}', '--pipeline',
                       f'stock={rspnet}:{_stock()}'])
    assert stats['rspnet'][videos][0] == stats['stock'][videos][0] == 8
    assert stats['rspnet'][videos][2] == 3 * 8
    assert stats['stock'][videos][2] == 8
    printed = capsys.readouterr().out
    assert '(samples/s)' in printed and '(clips/s)' in printed

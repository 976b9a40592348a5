"""tools/analysis/print_config.py: a config as it resolves."""
import os.path as osp

from mmengine.config import Config

from conftest import ROOT, load_tool

CONFIG = osp.join(ROOT, 'configs', 'auxskd',
                  'auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py')


def test_prints_the_resolved_config_with_overrides(capsys):
    tool = load_tool('analysis/print_config.py')
    text = tool.main([CONFIG, '--cfg-options', 'model.queue_size=64',
                      'train_dataloader.batch_size=3'])
    out = capsys.readouterr().out
    assert out.startswith('Config:\n') and text in out
    printed = Config.fromstring(text, '.py')
    # inherited through the bases: the auxSKD model and its hooks
    assert printed.model.type == 'AuxSKD'
    assert printed.model.head.type == 'SimilarityDistillHead'
    assert 'AnchorQueueHook' in {h['type'] for h in printed.custom_hooks}
    # set by the demo leaf, then by --cfg-options
    assert printed.model.backbone.base_channels == 8
    assert printed.model.queue_size == 64
    assert printed.train_dataloader.batch_size == 3
    assert printed.to_dict() == tool.resolve(
        CONFIG, dict(model=dict(queue_size=64),
                     train_dataloader=dict(batch_size=3))).to_dict()

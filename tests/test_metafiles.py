"""model-index.yml and configs/*/metafile.yml: OpenMMLab's model-index
format, every config indexed, figures where they claim to come from."""
import glob
import os.path as osp
import re

import pytest
import yaml

from conftest import ROOT, load_tool

# one model per leaf config but these: bases, and the CPU demo's scaled-down
# stages on synthetic data (docs/small_data.md), which no paper measured
EXCLUDED = re.compile(r'(^|/)_base_/|_demo-[^/]*\.py$')
REQUIRED = ('Architecture', 'FLOPs', 'Parameters', 'Pretrained', 'Resolution',
            'Training Data')
TRAINED = ('Batch Size', 'Epochs', 'Training Resources')  # with NxbM names
# the figures tools/analysis/get_flops.py must reproduce: a recognizer's
# clip and a multi-clip pretext (its three clips built by its pipeline)
CHECKED = ('r2plus1d-r10_2xb15-16x1x1-25e_ucf101-split1-rgb',
           'vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb')


def _load(path):
    with open(osp.join(ROOT, path)) as f:
        return yaml.safe_load(f)


@pytest.fixture(scope='module')
def index():
    """``(collections, models)`` of every file model-index.yml imports."""
    imports = _load('model-index.yml')['Import']
    found = sorted(osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', '*', 'metafile.yml')))
    assert sorted(imports) == found, 'model-index.yml imports every metafile'
    collections, models = {}, []
    for path in imports:
        meta = _load(path)
        assert set(meta) == {'Collections', 'Models'}, path
        for col in meta['Collections']:
            collections[col['Name']] = dict(col, file=path)
        models += [dict(m, file=path) for m in meta['Models']]
    return collections, models


def test_collections(index):
    collections, _ = index
    for name, col in collections.items():
        # paths from the repository root, as MMAction2 writes them
        assert osp.isfile(osp.join(ROOT, col['README'])), name
        paper = col.get('Paper')
        if paper:
            assert paper['Title'], name
            assert paper.get('URL', 'https://').startswith('https://'), name


def test_models_fields(index):
    collections, models = index
    names = [m['Name'] for m in models]
    assert len(names) == len(set(names)), 'model names are unique'
    for m in models:
        where = f"{m['file']}: {m['Name']}"
        assert osp.isfile(osp.join(ROOT, m['Config'])), where
        assert m['In Collection'] in collections, where
        meta = m['Metadata']
        trained = re.search(r'_(\d+)xb(\d+)-.*?(\d+)e_', m['Config'])
        for key in REQUIRED + (TRAINED if trained else ()):
            assert meta.get(key) is not None, f'{where} lacks {key}'
        if trained:  # MMAction2's convention: batch per GPU, GPUs apart
            gpus, batch, epochs = map(int, trained.groups())
            assert (meta['Batch Size'], meta['Epochs'],
                    meta['Training Resources']) == (batch, epochs,
                                                    f'{gpus} GPUs'), where
        assert re.fullmatch(r'\d+(\.\d+)?G', meta['FLOPs']), where
        assert re.fullmatch(r'\d+(\.\d+)?M', meta['Parameters']), where
        assert m['Input'].endswith('x' + meta['Resolution']), where
        # no checkpoint is released: a Weights field would be a link
        assert str(m.get('Weights', 'https://')).startswith('https://')
        for result in m['Results'] or []:
            assert isinstance(result['Dataset'], str), where
            assert isinstance(result['Task'], str), where
            assert result['Metrics'], where
            for key, value in result['Metrics'].items():
                assert type(value) in (int, float), f'{where}: {key}'
                assert 0 <= value <= 100, f'{where}: {key}'


def test_every_leaf_config_is_indexed_by_name(index):
    _, models = index
    by_name = {m['Name']: m for m in models}
    leaves = sorted(osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True))
    leaves = [p for p in leaves if not EXCLUDED.search(p)]
    assert len(leaves) > 70
    for path in leaves:
        name = osp.splitext(osp.basename(path))[0]
        assert name in by_name, f'{path} is not in its metafile'
        model = by_name[name]
        assert model['Config'] == path
        folder = path.split('/')[1]
        assert model['file'] == f'configs/{folder}/metafile.yml', path
    indexed = {m['Config'] for m in models}
    assert not [p for p in indexed if EXCLUDED.search(p)]


def test_paper_results_name_what_was_measured(index):
    # a model with Results is an evaluation config whose "Pretrained" names
    # the pretext configs in order, and which its first pretext lists in
    # "Downstream"; every figure says which table it comes from
    _, models = index
    by_name = {m['Name']: m for m in models}
    measured = [m for m in models if m['Results']]
    assert len(measured) > 60
    for m in measured:
        chain = m['Metadata']['Pretrained'].split(', then ')
        for name in chain:
            assert name in by_name and by_name[name]['Results'] is None, name
        assert m['Name'] in by_name[chain[0]]['Downstream'], m['Name']
        assert re.search(r'Table \d', m['Results From']), m['Name']
    for m in models:
        for name in m.get('Downstream', []):
            assert by_name[name]['Results'], name


def test_figures_are_the_flops_tool_s(index, tmp_path):
    _, models = index
    by_name = {m['Name']: m for m in models}
    tool = load_tool('analysis/get_flops.py')
    data = tool.SyntheticData(str(tmp_path))
    line = re.compile(r'FLOPs (\S+) G, params (\S+) M, input (\S+) ')
    for name in CHECKED:
        m = by_name[name]
        flops, params, shape = line.search(
            tool.analyse(m['Config'], data)).groups()
        assert (m['Metadata']['FLOPs'], m['Metadata']['Parameters'],
                m['Input']) == (f'{flops}G', f'{params}M', shape), name

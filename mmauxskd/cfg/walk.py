"""Walking configs: the transforms of a pipeline, the datasets of loaders.

Shared by the other ``mmauxskd.cfg`` modules; both walk into wrappers, so
that an edit or a check also reaches what a wrapper holds::

    >>> pipeline = [dict(type='DecordInit'),
    ...             dict(type='ClipGroupAugment',
    ...                  transforms=[dict(type='RandomCrop', size=32)])]
    >>> [t['type'] for t in transforms_of(pipeline)]
    ['DecordInit', 'ClipGroupAugment', 'RandomCrop']
"""

__all__ = ['transforms_of', 'loader_datasets']


def transforms_of(pipeline):
    """Every transform of ``pipeline``, those nested in a wrapper's
    ``transforms`` list (``MultiViewClips``, ``ClipGroupAugment``) too, each
    before its nested ones (see the module docstring)."""
    for t in pipeline:
        yield t
        if isinstance(t.get('transforms'), (list, tuple)):
            yield from transforms_of(t['transforms'])


def loader_datasets(cfg):
    """``(split, dataset)`` for every dataset config with a pipeline in the
    train / val / test loaders, inside wrappers (``dataset=...``,
    ``datasets=[...]``, e.g. the ConcatDataset of
    :func:`~mmauxskd.cfg.pretext_val`)::

        >>> cfg = dict(train_dataloader=dict(dataset=dict(
        ...     type='RepeatDataset', dataset=dict(pipeline=[]))))
        >>> [split for split, _ in loader_datasets(cfg)]
        ['train']
    """
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        todo = [loader.get('dataset', {})] if loader else []
        while todo:
            dataset = todo.pop(0)
            if 'pipeline' in dataset:
                yield split, dataset
            elif 'dataset' in dataset:
                todo.append(dataset['dataset'])
            else:
                todo.extend(dataset.get('datasets', []))

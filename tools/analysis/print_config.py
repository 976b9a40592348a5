"""Print a config as it resolves: every ``_base_`` merged, every helper
called, ``--cfg-options`` applied (what tools/train.py would run).

    python tools/analysis/print_config.py CONFIG [--cfg-options k=v ...]
"""
import argparse

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value as on '
        'tools/train.py (a.b=1, a.c=[1,2])')
    return parser.parse_args(argv)


def resolve(path, cfg_options=None):
    """The config at ``path`` with ``cfg_options`` merged in."""
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    text = resolve(args.config, args.cfg_options).pretty_text
    print(f'Config:\n{text}')
    return text


if __name__ == '__main__':
    main()

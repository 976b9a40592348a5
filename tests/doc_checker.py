"""What the user docs name must exist: the checker behind
``tests/test_docs_paths.py``.

``check_doc(doc)`` reads one Markdown file (README.md, model_zoo.md or a
page of docs/) and returns a ``Problem`` for every

* **path** of the repository it names (``configs/...``, ``tools/...``,
  ``docs/...``, ``mmauxskd/...``, ``tests/...``, ``requirements/...``,
  ``.ci/...``; ``{a,b}`` alternatives and ``*`` globs expanded) that does
  not exist, every bare config name (``vspp-z3_r3d-18_2xb15-...-rgb.py``)
  that no file under ``configs/`` has, every ``*.md`` it names or links
  that does not exist, and every ``#anchor`` of a link to a heading that the
  target page does not have;
* **flag** given to one of the repository's tools in a command line
  (``python tools/train.py CONFIG --pretrained X``, ``bash tools/demo.sh
  --arms all``, ``tools/dist_train.sh CONFIG 2 --resume``) that the tool
  does not define, and every flag standing alone in the text
  (`` `--seeds` ``) that no tool defines;
* **class** name in backticks (`` `SegmentPaceSampler` ``, ``Recognizer3D``,
  ``type='I3DHead'`` in a Python snippet) that is neither registered in
  an mmengine / MMAction2 registry after ``import mmauxskd`` nor defined in
  mmauxskd (nor one of ``EXTERNAL`` / ``NOT_CODE`` below), every
  ``Class.attribute`` whose class lacks the attribute, and every
  ``mmauxskd.x.y`` that does not import.

How a tool's flags are read: a Python tool's are the option strings of its
``add_argument`` calls (an AST scan, no import), plus those of the
functions it imports from the repository and calls
(``mmauxskd.utils.cli.add_common_args``, ``prep_common.doc_parser``), plus
``-h``/``--help``. A shell wrapper's are the ``--x)`` patterns of its
``case`` statement plus the flags of what it forwards ``"$@"`` to: the
``.py`` tool named on that line (``demo.sh`` -> ``tools/run_demo.py``,
``dist_train.sh`` -> ``tools/train.py``), the command's first argument
for ``dist_launch.sh`` / ``slurm_launch.sh``-style ``$SCRIPT`` wrappers,
or pytest's options for ``-m pytest`` (``run_tests.sh``).

Commands are read from fenced code blocks (lines joined at a trailing
backslash; a ``#`` comment is read as text) and from inline code spans;
a command whose program is not one of the repository's tools (``pip``,
``unrar``, ``tensorboard``) is not checked. Python snippets are read for
``type='Name'`` only.
"""
import ast
import builtins
import collections
import functools
import fnmatch
import glob
import importlib
import inspect
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
import unicodedata

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

Problem = collections.namedtuple('Problem', 'doc line kind name why')

# Names in backticks that are neither registered nor mmauxskd's: classes of
# the libraries the docs discuss, with the module that defines each (the
# test imports it where it is installed and checks the name is there).
EXTERNAL = {
    'BaseModel': 'mmengine.model',
    'BaseDataset': 'mmengine.dataset',
    'HistoryBuffer': 'mmengine.logging',
    'CheckpointLoader': 'mmengine.runner',
    'BatchNorm1d': 'torch.nn',
    'ReduceLROnPlateau': 'torch.optim.lr_scheduler',  # VCOP's scheduler
    'UnpicklingError': 'pickle',
    'VideoReader': 'decord',
    'VideoReformatter': 'av.video.reformatter',
    'CosineEMA': 'mmpretrain.models.utils',  # mmpretrain: not installed here
    'MultiScaleDeformableAttention': 'mmcv.ops',  # full mmcv only
}
# Names in backticks that are not code: data set names, torch's error text,
# placeholders of an example.
NOT_CODE = {
    'ApplyEyeMakeup': 'a UCF101 class (classInd.txt)',
    'UCF101TrainTestSplits': 'the UCF101 split archive',
    'RecognitionTask': 'the UCF101 split archive',
    'VOCdevkit': 'the PASCAL VOC archive folder',
    'VOCtrainval_06': 'the PASCAL VOC archive name',
    'VOCtest_06': 'the PASCAL VOC archive name',
    'ScalarType': "torch's error message (TypeError: ... ScalarType BFloat16)",
    'BFloat16': "torch's error message (TypeError: ... ScalarType BFloat16)",
    'MyType': 'a placeholder in an example call',
    'DRN': "a model missing from mmaction2's wheel, deliberately unregistered",
}
# Flags standing alone in the text that belong to programs outside the
# repository (a flag in a command of such a program is not checked at all).
EXTERNAL_FLAGS = {
    '--system-site-packages': 'python -m venv',
    '--force-reinstall': 'pip install',
    '--no-deps': 'pip install / pip download',
    '--logdir': 'tensorboard',
}

# a path: starts at a top-level folder of the repository, or is a .md file
PATH = re.compile(
    r'(?<![\w/.-])((?:configs|tools|docs|mmauxskd|tests|requirements|\.ci)'
    r'(?:/[\w.{},*-]+)+/?|[\w-]+\.md)')
# a config named without its folder, as OpenMMLab names them
CONFIG_NAME = re.compile(
    r'(?<![\w/.{},*-])([\w{},.-]*_\d+xb\d+[\w{},.-]*\.py)(?![\w.])')
TEST_NAME = re.compile(r'(?<![\w/.-])(tests/[\w/]+\.py)::(\w+)')
CHECKPOINT = re.compile(r'work_dirs/([\w.-]+)/((?:epoch|iter)_\d+\.pth)')
LINK = re.compile(r'\]\(([^)\s]+)\)')
FENCE = re.compile(r'^( *)```([^\n`]*)\n(.*?)^\1```[ \t]*$', re.S | re.M)
SPAN = re.compile(r'(?<!`)`([^`]+)`(?!`)')
CAMEL = re.compile(r'(?<![\w.\'"])([A-Z][A-Za-z0-9_]*)(?![\w\'"])')
TYPE_ARG = re.compile(r'''(?<![\w.])type\s*=\s*['"]([A-Za-z_]\w*)['"]''')
DOTTED = re.compile(r'(?<![\w.])(mmauxskd(?:\.[A-Za-z_]\w*)+)')
ATTR = re.compile(r'^([A-Z][A-Za-z0-9_]*)\.([a-z_]\w*)(?:\(.*\))?$')
FLAG = re.compile(r'^--[a-z][\w-]*$')
TOOL = re.compile(r'(?:^|/)(tools/[\w/.-]+\.(?:py|sh))$')
INTERPRETERS = {'python', 'python3', 'bash', 'sh', 'exec', 'nice', 'time',
                'timeout'}


def is_camel(name):
    """``SegmentPaceSampler``, ``I3DHead``, ``Recognizer3D``: a capital,
    then a lower-case letter somewhere, and another capital or a digit."""
    return bool(re.search('[a-z]', name)
                and re.search('[A-Z0-9]', name[1:]))


def doc_files(root=ROOT):
    """README.md, model_zoo.md and every page of docs/, relative to root."""
    return ['README.md', 'model_zoo.md'] + sorted(
        osp.relpath(p, root) for p in glob.glob(osp.join(root, 'docs',
                                                          '*.md')))


def alternatives(path):
    """``a/{b,c}_d.py`` -> ``a/b_d.py``, ``a/c_d.py``."""
    match = re.search(r'\{([^}]*,[^}]*)\}', path)
    if not match:
        return [path]
    return [p for alt in match.group(1).split(',') for p in alternatives(
        path[:match.start()] + alt + path[match.end():])]


def expand(path):
    """``alternatives``, after turning a placeholder (``{γ_T}``, no comma)
    or an ellipsis (``mlfo-onehot_...``) into a glob ``*``."""
    path = re.sub(r'\{[^},]*\}', '*', path.replace('...', '*'))
    return alternatives(path)


def _exists(path, root):
    if '*' in path:
        return bool(glob.glob(osp.join(root, path)))
    return osp.exists(osp.join(root, path))


# ---------------------------------------------------------------- flags

def _called_names(tree):
    """``f`` and ``m.f`` of every call in ``tree``."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                out.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                out.add(node.func.attr)
    return out


def _options(tree):
    """The option strings (``--x``, ``-x``) of the ``add_argument`` calls."""
    out = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == 'add_argument'):
            out.update(a.value for a in node.args
                       if isinstance(a, ast.Constant)
                       and isinstance(a.value, str) and a.value[:1] == '-')
    return out


@functools.lru_cache(maxsize=None)
def _parse(path):
    with open(path, encoding='utf-8') as f:
        return ast.parse(f.read(), path)


def _module_file(name, here, root):
    """The repository file of module ``name`` imported from ``here``."""
    for base in (root, osp.dirname(here)):
        path = osp.join(base, *name.split('.')) + '.py'
        if osp.isfile(path):
            return path
    return None


@functools.lru_cache(maxsize=None)
def python_flags(path, root=ROOT):
    """Flags of a Python tool: its own ``add_argument`` calls and those of
    the repository functions it imports and calls."""
    tree = _parse(path)
    flags = _options(tree) | {'-h', '--help'}
    called = _called_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            source = _module_file(node.module, path, root)
            names = {a.name for a in node.names} & called
        elif isinstance(node, ast.Import):
            for alias in node.names:
                source = _module_file(alias.name, path, root)
                names = called
        else:
            continue
        if not source or not names:
            continue
        for fn in _parse(source).body:
            if isinstance(fn, ast.FunctionDef) and fn.name in names:
                flags |= _options(fn)
    return frozenset(flags)


@functools.lru_cache(maxsize=None)
def pytest_flags():
    """pytest's options: from its parser in this process where pytest's
    internals allow, else from ``pytest --help``."""
    try:
        from _pytest.config import get_config
        return frozenset(get_config()._parser.optparser._option_string_actions)
    except Exception:  # another pytest version's internals
        out = subprocess.run([sys.executable, '-m', 'pytest', '--help'],
                             capture_output=True, text=True, cwd=ROOT).stdout
        return frozenset(re.findall(r'(?<![\w-])(--?[a-zA-Z][\w-]*)', out))


@functools.lru_cache(maxsize=None)
def shell_flags(path, first_arg=None, root=ROOT, pytest=True):
    """Flags of a shell wrapper: the ``--x)`` patterns of its ``case``
    statement, and those of what it forwards ``"$@"`` / ``"${@:N}"`` to
    (pytest's only with ``pytest``)."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    flags = set()
    for pattern in re.findall(r'^\s*([-\w|]+)\)', text, re.M):
        flags.update(p for p in pattern.split('|') if p.startswith('-'))
    for line in text.splitlines():
        if line.lstrip().startswith('#') or not re.search(
                r'"\$(?:@|\{@:\d+\})"', line):
            continue
        targets = re.findall(r'([\w/.-]+\.py)\b', line)
        if targets:
            target = targets[-1]
            for base in (osp.join(root, 'tools'), root):
                full = osp.join(base, target.split('tools/', 1)[-1]
                                if target.startswith('tools/') else target)
                if osp.isfile(full):
                    flags |= python_flags(full, root)
                    break
        elif pytest and re.search(r'-m pytest\b', line):
            flags |= pytest_flags()
        elif re.search(r'tools/\$\{?SCRIPT', line) and first_arg:
            full = osp.join(root, 'tools', first_arg)
            if osp.isfile(full):
                flags |= tool_flags(full, root=root)
    return frozenset(flags)


def tool_flags(path, first_arg=None, root=ROOT):
    if path.endswith('.py'):
        return python_flags(path, root)
    return shell_flags(path, first_arg, root)


@functools.lru_cache(maxsize=None)
def _tools(root=ROOT):
    """``{relative path: path}`` of every tool, and ``{basename: path}``
    where a basename is unique under tools/."""
    paths = sorted(glob.glob(osp.join(root, 'tools', '**', '*.py'),
                             recursive=True) +
                   glob.glob(osp.join(root, 'tools', '**', '*.sh'),
                             recursive=True))
    by_rel = {osp.relpath(p, root): p for p in paths}
    names = collections.Counter(osp.basename(p) for p in paths)
    by_name = {osp.basename(p): p for p in paths
               if names[osp.basename(p)] == 1}
    return by_rel, by_name


@functools.lru_cache(maxsize=None)
def all_flags(root=ROOT):
    """Every flag some tool of the repository defines."""
    flags = set()
    for path in _tools(root)[0].values():
        if path.endswith('.py'):
            flags |= python_flags(path, root)
        else:
            flags |= shell_flags(path, root=root, pytest=False)
    return frozenset(flags)


def _tokens(command):
    try:
        return shlex.split(command, comments=False)
    except ValueError:  # an unbalanced quote in prose
        return command.split()


def _clean(token):
    return token.strip('[](),;:.')


def _tool_path(word, root):
    by_rel, by_name = _tools(root)
    match = TOOL.search(word)
    return by_rel.get(match.group(1)) if match else by_name.get(word)


def command_flags(command, root=ROOT, anywhere=False):
    """``(tool, flag, known)`` for each flag of ``command`` (one line, no
    comment). The program is the first word after ``X=Y`` assignments and
    an interpreter (``python``, ``bash``); flags of a program outside the
    repository are not returned; a text of flags alone is checked against
    every tool's. ``anywhere`` (a comment): the command starts at the first
    tool named, and without one every flag is checked against every
    tool's."""
    out = []
    for segment in re.split(r'\s*(?:&&|\|\||;|\|)\s*', command):
        words = [w for w in _tokens(segment) if w]
        if anywhere:
            at = [i for i, w in enumerate(words)
                  if _tool_path(_clean(w), root)]
            words = words[at[0]:] if at else [
                w for w in words if FLAG.match(_clean(w).split('=')[0])]
        while words and (re.match(r'^[A-Z_][A-Z0-9_]*=', words[0])
                         or words[0] in INTERPRETERS
                         or words[0].startswith('$')):
            words = words[1:]
        if not words:
            continue
        program = _clean(words[0])
        path = _tool_path(program, root)
        if path is None and program.startswith('--'):
            known = all_flags(root)
            for word in map(_clean, words):
                if FLAG.match(word.split('=')[0]):
                    flag = word.split('=')[0]
                    out.append(('', flag, flag in known
                                or flag in EXTERNAL_FLAGS))
            continue
        if path is None:
            continue  # another program (pip, unrar, tensorboard)
        args = [_clean(w) for w in words[1:]]
        if not any(FLAG.match(a.split('=')[0]) for a in args):
            continue
        positional = [a for a in args if not a.startswith('-')]
        known = tool_flags(path, positional[0] if positional else None,
                           root)
        for arg in args:
            flag = arg.split('=')[0]
            if FLAG.match(flag):
                out.append((osp.relpath(path, root), flag, flag in known))
    return out


@functools.lru_cache(maxsize=None)
def checkpoints_of(stem, root=ROOT):
    """The checkpoint names the config ``<stem>.py`` writes."""
    from mmengine.config import Config
    from test_config_tree import checkpoints_written
    path, = (p for p in glob.glob(osp.join(root, 'configs', '**',
                                           stem + '.py'), recursive=True)
             if '_base_' not in p)
    return checkpoints_written(Config.fromfile(path))


# ---------------------------------------------------------------- names

@functools.lru_cache(maxsize=None)
def registered_names():
    """Every name in an mmengine registry or its children (MMAction2's),
    with the class registered under it."""
    import mmauxskd  # noqa: F401  registers the project's modules
    from mmengine import registry
    from mmaction.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    names = {}

    def walk(reg):
        names.update(reg.module_dict)
        for child in reg._children.values():
            walk(child)

    for value in vars(registry).values():
        if isinstance(value, registry.Registry):
            walk(value)
    return names


@functools.lru_cache(maxsize=None)
def mmauxskd_names(root=ROOT):
    """``{name: module}`` of the classes and functions defined at the top
    level of mmauxskd's modules (read from the source, not imported)."""
    out = {}
    for path in sorted(glob.glob(osp.join(root, 'mmauxskd', '**', '*.py'),
                                 recursive=True)):
        module = osp.relpath(path, root)[:-3].replace(os.sep, '.')
        module = re.sub(r'\.__init__$', '', module)
        with open(path, encoding='utf-8') as f:
            for name in re.findall(r'^(?:class|def) (\w+)', f.read(), re.M):
                out.setdefault(name, module)
    return out


def resolve_class(name, root=ROOT):
    """The object ``name`` stands for, ``NOT_CODE`` for a name that is not
    code, ``None`` for one the docs may not name."""
    if name in NOT_CODE:
        return NOT_CODE
    registered = registered_names()
    if name in registered:
        return registered[name]
    module = mmauxskd_names(root).get(name)
    if module:
        return getattr(importlib.import_module(module), name)
    if isinstance(getattr(builtins, name, None), type):
        return getattr(builtins, name)
    if name in EXTERNAL:
        try:
            return getattr(importlib.import_module(EXTERNAL[name]), name)
        except ImportError:  # not installed: trust the allowlist
            return EXTERNAL
    return None


def has_attribute(cls, name):
    """A class attribute, an argument of ``__init__``, or an attribute its
    code sets (``self.name = ...``, a buffer or module named ``'name'``)."""
    if hasattr(cls, name):
        return True
    for klass in cls.__mro__:
        try:
            if name in inspect.signature(klass.__init__).parameters:
                return True
            source = inspect.getsource(klass)
        except (TypeError, ValueError, OSError):
            continue
        if re.search(rf'self\.{name}\s*=|[\'"]{name}[\'"]', source):
            return True
    return False


def resolve_dotted(dotted):
    """``mmauxskd.cfg.update_pipeline`` -> True if it imports."""
    parts = dotted.split('.')
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module('.'.join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


# ---------------------------------------------------------------- anchors

def _slugs(md_path):
    """GitHub's anchors of a page's headings (with and without folding
    ``²`` to ``2``)."""
    with open(md_path, encoding='utf-8') as f:
        text = FENCE.sub('', f.read())
    out, seen = set(), collections.Counter()
    for heading in re.findall(r'^#{1,6}\s+(.+?)\s*#*\s*$', text, re.M):
        heading = re.sub(r'`|\*\*?|\[([^\]]*)\]\([^)]*\)', r'\1', heading)
        for form in {heading, unicodedata.normalize('NFKC', heading)}:
            slug = re.sub(r'[^\w\- ]', '', form.strip().lower())
            slug = slug.replace(' ', '-')
            out.add(slug if not seen[slug] else f'{slug}-{seen[slug]}')
            seen[slug] += 1
    return out


# ---------------------------------------------------------------- the doc

def _line_of(text, offset):
    return text.count('\n', 0, offset) + 1


def _code_lines(body, first_line):
    """``(line number, command, comment)`` of a shell block: continuation
    lines joined, a ``#`` comment split off."""
    lines = body.split('\n')
    i = 0
    while i < len(lines):
        start, joined = i, lines[i]
        while joined.rstrip().endswith('\\') and i + 1 < len(lines):
            i += 1
            joined = joined.rstrip()[:-1] + ' ' + lines[i].strip()
        i += 1
        match = re.search(r'(?:^|\s)#(.*)$', joined)
        command, comment = ((joined[:match.start()], match.group(1))
                            if match else (joined, ''))
        yield first_line + start, command, comment


def check_doc(doc, root=ROOT, text=None):
    """Problems of one doc (path relative to ``root``); ``text`` replaces
    the file's content (the tests plant errors this way)."""
    if text is None:
        with open(osp.join(root, doc), encoding='utf-8') as f:
            text = f.read()
    here = osp.dirname(doc)
    problems = []

    def problem(offset, kind, name, why):
        problems.append(Problem(doc, _line_of(text, offset), kind, name, why))

    # paths and links, anywhere in the text
    for match in PATH.finditer(text):
        raw = match.group(1)
        raw = raw if raw.endswith('...') else raw.rstrip('.,')
        for path in expand(raw):
            if path.endswith('.md') and '/' not in path:
                ok = (_exists(osp.join(here, path), root)
                      or _exists(path, root))
            else:
                ok = _exists(path, root)
            if not ok:
                problem(match.start(), 'path', path, 'does not exist')
    config_names = {osp.basename(p) for p in glob.glob(
        osp.join(root, 'configs', '**', '*.py'), recursive=True)}
    for match in CONFIG_NAME.finditer(text):
        for name in expand(match.group(1)):
            if '*' in name:
                ok = any(fnmatch.fnmatch(c, name) for c in config_names)
            else:
                ok = name in config_names
            if not ok:
                problem(match.start(), 'path', name, 'no config has this name')
    for match in TEST_NAME.finditer(text):
        path, name = match.groups()
        if osp.isfile(osp.join(root, path)):
            with open(osp.join(root, path), encoding='utf-8') as f:
                if not re.search(rf'^\s*(?:def|class) {name}\b', f.read(),
                                 re.M):
                    problem(match.start(), 'path', f'{path}::{name}',
                            'no such test')
    stems = {osp.splitext(osp.basename(p))[0]: osp.relpath(p, root)
             for p in glob.glob(osp.join(root, 'configs', '**', '*.py'),
                                recursive=True) if '_base_' not in p}
    for match in CHECKPOINT.finditer(text):
        stem, checkpoint = match.groups()
        if stem in stems and checkpoint not in checkpoints_of(stem, root):
            problem(match.start(), 'path', f'work_dirs/{stem}/{checkpoint}',
                    f"{stems[stem]}'s loop never writes it")
    for match in LINK.finditer(text):
        target = match.group(1)
        if re.match(r'^[a-z]+:', target):
            continue  # a URL
        path, _, anchor = target.partition('#')
        full = osp.normpath(osp.join(root, here, path)) if path else \
            osp.join(root, doc)
        if path and not osp.exists(full):
            problem(match.start(), 'path', target, 'link target missing')
        elif anchor and full.endswith('.md') and anchor not in _slugs(full):
            problem(match.start(), 'anchor', target,
                    'no heading of the page has this anchor')
    for match in re.finditer(r'(?<![\w/])((?:docs/)?[\w-]+\.md)#([\w-]+)',
                             text):
        path, anchor = match.groups()
        for base in (osp.join(root, here), root):
            if osp.isfile(osp.join(base, path)):
                if anchor not in _slugs(osp.join(base, path)):
                    problem(match.start(), 'anchor', f'{path}#{anchor}',
                            'no heading of the page has this anchor')
                break

    # commands, names: code blocks first, then the inline spans of the rest
    def commands(command, offset):
        for tool, flag, known in command_flags(command, root):
            if not known:
                problem(offset, 'flag', flag,
                        f'{tool} does not define it' if tool
                        else 'no tool of the repository defines it')

    def names(span, offset):
        candidates = set(TYPE_ARG.findall(span))
        if not re.search(r'\s', span.strip()) or '(' in span:
            candidates |= {n for n in CAMEL.findall(span) if is_camel(n)}
        for name in sorted(candidates):
            if resolve_class(name, root) is None:
                problem(offset, 'class', name,
                        'not registered after `import mmauxskd`, not '
                        'defined in mmauxskd, not in the allowlist')
        attr = ATTR.match(span.strip())
        if attr:
            obj = resolve_class(attr.group(1), root)
            if isinstance(obj, type) and not has_attribute(obj,
                                                           attr.group(2)):
                problem(offset, 'class', span.strip(),
                        f'{attr.group(1)} has no {attr.group(2)}')
        for dotted in DOTTED.findall(span):
            if not resolve_dotted(dotted):
                problem(offset, 'class', dotted, 'does not import')

    prose = text
    for block in FENCE.finditer(text):
        lang, body = block.group(2).strip(), block.group(3)
        first = _line_of(text, block.start(3))
        if lang == 'python':
            for number, line in enumerate(body.split('\n'), first):
                for name in TYPE_ARG.findall(line):
                    if resolve_class(name, root) is None:
                        problems.append(Problem(doc, number, 'class', name,
                                                'not registered'))
                for dotted in DOTTED.findall(line):
                    if not resolve_dotted(dotted):
                        problems.append(Problem(doc, number, 'class', dotted,
                                                'does not import'))
        elif lang in ('', 'bash', 'shell', 'sh', 'console'):
            for number, command, comment in _code_lines(body, first):
                for part, anywhere in ((command, False), (comment, True)):
                    for tool, flag, known in command_flags(part, root,
                                                           anywhere):
                        if not known:
                            problems.append(Problem(
                                doc, number, 'flag', flag,
                                f'{tool} does not define it' if tool
                                else 'no tool of the repository defines it'))
        # keep the offsets of the rest: blank the block out
        prose = (prose[:block.start()] + re.sub(r'[^\n]', ' ', block.group(0))
                 + prose[block.end():])
    for match in SPAN.finditer(prose):
        span = match.group(1)
        if '\n\n' in span:
            continue
        commands(' '.join(span.split()), match.start())
        names(span, match.start())
    return sorted(set(problems), key=lambda p: (p.line, p.kind, p.name))

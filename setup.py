"""mmauxskd: auxSKD and VSPP self-supervised video learning for MMAction2."""
import os.path as osp

from setuptools import find_packages, setup


def readme():
    with open(osp.join(osp.dirname(__file__), 'README.md'),
              encoding='utf-8') as f:
        return f.read()


def version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'mmauxskd', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmauxskd',
    version=version(),
    description='Auxiliary similarity-based knowledge distillation (auxSKD) '
    'and VSPP for self-supervised video learning, as MMAction2 plugins',
    long_description=readme(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    classifiers=[
        'License :: OSI Approved :: Apache Software License',
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    python_requires='>=3.9',
    # torch is not pinned here: install the build for your machine first
    # (requirements/cpu.txt for the tested CPU build; README for CUDA).
    # mmaction2 1.2.0 is not listed: it declares decord, which has no
    # release since 2021 and no wheel for aarch64, as a hard requirement.
    # It is installed with --no-deps (requirements/mmaction2.txt), and its
    # other requirements are listed here, so that decord stays optional.
    install_requires=[
        'torch>=2.1',
        'numpy>=1.23',
        'mmengine==0.10.7',
        'mmcv-lite>=2.0.1,<2.2.0',  # mmaction2 1.2.0 asserts mmcv < 2.2.0
        'importlib_metadata',  # used but not declared by mmaction2 1.2.0
        # mmaction2 1.2.0's requirements but decord (torch, numpy above)
        'einops',
        'matplotlib',
        'Pillow',
        'scipy',
        # PyAVSeekInit, the decoder of every config and data tool: the
        # releases tested, 12.3.0, 16.1.0 and 18.1.0 (the newest; NVDEC
        # needs >= 14, below that PyAVSeekInit(device='cuda') falls back)
        'av>=12.3,<19',
        # the OpenCV that mmengine and mmcv-lite require; mmaction2 1.2.0 also
        # requires opencv-contrib-python (docs/compatibility.md, OpenCV)
        'opencv-python',
        'opencv-contrib-python',
        # Vi2CLR's clustering: FINCH (its second partition) and k-means
        'finch-clust>=0.2.3',
        'scikit-learn',
    ],
    extras_require={
        # pytest-xdist: tools/run_tests.sh runs the suite in 2 processes
        'tests': ['pytest>=7', 'hypothesis>=6', 'pytest-xdist>=3.5,<4'],
        'plots': ['matplotlib', 'tensorboard'],
        # tools/train.py / tools/test.py --vis-backend tensorboard | wandb
        'tensorboard': ['tensorboard'],
        'wandb': ['wandb'],
        # the optional decoder: MMAction2's DecordInit / DecordDecode,
        # --decoder decord on the tools (x86_64 and macOS wheels only)
        'decord': ['decord==0.6.0'],
    },
    zip_safe=False)

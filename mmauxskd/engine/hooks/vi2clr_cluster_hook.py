"""Vi²CLR's clustering step (Algorithm 1: R_J = f_VI(X), C = Clustering)."""
import copy

import numpy as np
import torch
from mmengine.dist import (broadcast_object_list, get_rank, get_world_size,
                           is_main_process)
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmaction.registry import HOOKS

from ...models.utils.gather import gather_across_ranks
from ...models.utils.clustering import (cluster_centroids, cluster_purity,
                                        concentration, finch_partition,
                                        kmeans_partition)
from ...utils.model import unwrap_model
from ...cfg import cluster_pipeline
from .random_state_hook import get_rng_states, set_rng_states
from .resume_point import checkpoint_position, resumed_from

__all__ = ['Vi2CLRClusterHook', 'migrate_meta_clusters']


@HOOKS.register_module()
class Vi2CLRClusterHook(Hook):
    """Cluster the whole training set every ``interval`` epochs.

    Before each clustering epoch (``epoch >= warmup_epochs`` and
    ``(epoch - warmup_epochs) % interval == 0``):

    1. every rank computes the model's ``cluster_on`` embedding (r_J by
       default, L2-normalised) of its share of the training videos (the
       training dataset's config with ``pipeline``, a deterministic one:
       the centre clip, centre crop; by default derived from the training
       pipeline by :func:`mmauxskd.cfg.cluster_pipeline`),
       model in eval mode;
    2. the embeddings are gathered; rank 0 clusters them with FINCH (second
       partition; exact first neighbours at any N, :func:`finch_levels`)
       or k-means (``method='kmeans'``: FINCH's number of clusters, or
       ``num_clusters``; seeded with ``seed + epoch``), computes the
       centroids (normalised) and PCL's concentrations phi (mean
       ``temperature``), and broadcasts them;
    3. every rank writes them into the model (:meth:`Vi2CLR.set_clusters`:
       its ``clusters.*`` buffers) and gives the labels to the training
       sampler when it takes them (:class:`ClusterAwareSampler`).

    The Python, numpy and torch generators are restored afterwards, so the
    clustering draws nothing from the training run's streams.

    The model holds the clusters: they are saved with its weights and
    ``--resume`` restores them with the state dict; the hook then gives the
    restored labels to the sampler (``before_train``) and does not cluster
    again an epoch whose clusters are back (a checkpoint written within
    it). A ``load_from`` without ``--resume`` loads weights only: its
    clusters are dropped. Checkpoints of earlier versions, which kept the
    clusters in ``checkpoint['meta']['vi2clr_clusters']``, are moved into
    the state dict when loaded (:func:`migrate_meta_clusters`).

    Before ``warmup_epochs`` every video is its own cluster. With
    ``warmup_bank`` (the default) the hook still extracts the embeddings
    before each warm-up epoch and gives them to the model as N singleton
    "centroids" (phi = ``temperature`` for all): CenterNCE is then instance
    discrimination of r_J against a memory bank of every video's r_J, so
    r_J is trained before it is first clustered (as PCL warms up the
    embedding it clusters). Without it r_J, which only CenterNCE trains,
    reaches the first clustering as a random projection; on the demo data
    it was then so concentrated that FINCH put all 96 videos in one cluster.
    The bank is not saved in checkpoints (N x d floats; 123 MB on K-400;
    ``transient`` in the model's state): a resumed run extracts it again
    from the same weights before its epoch.
    ``warmup_bank=False``: no CenterNCE during the warm-up.

    Logs ``vi2clr/num_clusters`` and, when the training list has labels
    (>= 0), ``vi2clr/purity``. Needs an epoch-based loop
    (``EpochBasedTrainLoop``; ``iter_schedule`` gives one).

    Args:
        pipeline (list[dict], optional): the extraction pipeline (ending
            with ``PackActionInputs(meta_keys=(..., 'sample_idx'))``);
            defaults to ``cluster_pipeline(<training pipeline>)``.
        batch_size (int): extraction batch size per rank. Defaults to 16.
        num_workers (int): extraction loader processes. Defaults to 2.
        interval (int): epochs between clusterings. Defaults to 1 (paper).
        warmup_epochs (int): epochs with instance clusters first.
        method (str): ``'finch'`` or ``'kmeans'``.
        partition (int): FINCH partition (0-based). Defaults to 1 (the
            second, §4.3).
        num_clusters (int, optional): k for k-means; defaults to FINCH's.
        temperature (float): the mean of phi. Defaults to 0.08.
        phi (str): ``'pcl'`` (PCL's concentrations, the paper's Eq. 3) or
            ``'uniform'`` (every phi = ``temperature``: CenterNCE with one
            temperature, for small sets whose clusters of 2-6 members make
            PCL's estimate noise, docs/vi2clr.md). Defaults to ``'pcl'``.
        seed (int): k-means seed (plus the epoch; FINCH draws nothing).
            Defaults to 0.
        warmup_bank (bool): train r_J during the warm-up against a bank of
            instance embeddings (above). Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self, pipeline=None, batch_size=16, num_workers=2,
                 interval=1, warmup_epochs=0, method='finch', partition=1,
                 num_clusters=None, temperature=0.08, seed=0,
                 warmup_bank=True, phi='pcl'):
        if phi not in ('pcl', 'uniform'):
            raise ValueError("Vi2CLRClusterHook.phi must be 'pcl' or "
                             f"'uniform', got {phi!r}")
        if method not in ('finch', 'kmeans'):
            raise ValueError("Vi2CLRClusterHook.method must be 'finch' or "
                             f"'kmeans', got {method!r}")
        if interval < 1 or warmup_epochs < 0:
            raise ValueError('Vi2CLRClusterHook: interval must be >= 1 and '
                             f'warmup_epochs >= 0, got {interval}, '
                             f'{warmup_epochs}')
        self.pipeline = pipeline
        self.loader_args = dict(batch_size=batch_size,
                                num_workers=num_workers)
        self.interval, self.warmup_epochs = interval, warmup_epochs
        self.method, self.partition = method, partition
        self.num_clusters, self.temperature = num_clusters, temperature
        self.seed, self.warmup_bank = seed, warmup_bank
        self.phi = phi
        self._loader = None
        self._loaded = None  # (epoch, iter) of a loaded checkpoint

    def before_train(self, runner):
        sampler = runner.train_dataloader.sampler
        m = getattr(sampler, 'per_cluster', 1)
        batch = runner.train_dataloader.batch_size
        if batch % m:
            raise ValueError(
                f'train_dataloader.batch_size ({batch}) must be a multiple '
                f'of train_dataloader.sampler.per_cluster ({m})')
        model = unwrap_model(runner.model)
        if model.clusters.assigned and not resumed_from(runner,
                                                        self._loaded):
            model.set_clusters(None)  # load_from: weights, not clusters
        self._to_sampler(runner)

    def due(self, epoch):
        return epoch >= self.warmup_epochs and \
            (epoch - self.warmup_epochs) % self.interval == 0

    def before_train_epoch(self, runner):
        epoch = runner.epoch
        clusters = unwrap_model(runner.model).clusters
        if clusters.assigned and int(clusters.epoch) == epoch:
            return  # resumed within this epoch: its clusters are back
        if self.due(epoch):
            self.cluster(runner)
        elif epoch < self.warmup_epochs and self.warmup_bank:
            self.cluster(runner, bank=True)

    @torch.no_grad()
    def extract(self, runner):
        """Embeddings, dataset indices and class labels of every training
        video (gathered on all ranks; duplicates of the padding removed)."""
        if self._loader is None:
            dataset = copy.deepcopy(runner.cfg.train_dataloader.dataset)
            dataset.update(test_mode=True, pipeline=self.pipeline or
                           cluster_pipeline(dataset['pipeline']))
            self._loader = Runner.build_dataloader(dict(
                **self.loader_args, persistent_workers=False, dataset=dataset,
                sampler=dict(type='DefaultSampler', shuffle=False)))
        model = unwrap_model(runner.model)
        feats, index, classes = [], [], []
        for data in self._loader:
            data = model.data_preprocessor(data, False)
            feats.append(model.cluster_features(data['inputs']))
            samples = data['data_samples']
            index.append(torch.as_tensor(
                [int(s.metainfo['sample_idx']) for s in samples]))
            classes.append(torch.as_tensor(
                [int(s.gt_label.reshape(-1)[0]) if 'gt_label' in s else -1
                 for s in samples]))
        device = feats[0].device
        feats = gather_across_ranks(torch.cat(feats)).cpu().numpy()
        index = gather_across_ranks(torch.cat(index).to(device)).cpu().numpy()
        classes = gather_across_ranks(
            torch.cat(classes).to(device)).cpu().numpy()
        n = len(self._loader.dataset)
        full = np.zeros((n, feats.shape[1]), dtype=np.float32)
        full[index], labels = feats, np.full(n, -1)
        labels[index] = classes
        if len(np.unique(index)) != n:
            raise RuntimeError('the clustering loader missed videos: '
                               f'{len(np.unique(index))} of {n}')
        return full, labels

    def compute(self, feats, epoch):
        """Rank 0's clustering: labels, normalised centroids, phi."""
        seed = self.seed + epoch
        labels = finch_partition(feats, self.partition)
        if self.method == 'kmeans':
            k = self.num_clusters or int(labels.max()) + 1
            labels = kmeans_partition(feats, k, seed=seed)
        centroids = cluster_centroids(feats, labels)
        if self.phi == 'pcl':
            phi = concentration(feats, labels, centroids, self.temperature)
        else:
            phi = np.full(len(centroids), self.temperature)
        centroids /= np.maximum(
            np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        return labels, centroids.astype(np.float32), phi.astype(np.float32)

    def instance_bank(self, feats):
        """Warm-up "clusters": every video its own, its embedding the
        centroid, phi = ``temperature``."""
        n = len(feats)
        return (np.arange(n), feats.astype(np.float32),
                np.full(n, self.temperature, dtype=np.float32))

    def cluster(self, runner, bank=False):
        """Extract, cluster (or, ``bank``, the warm-up's instance bank) and
        hand the result to the model and the sampler."""
        model = unwrap_model(runner.model)
        rng, was_training = get_rng_states(), model.training
        model.eval()
        try:
            feats, classes = self.extract(runner)
            if bank:  # every rank has all embeddings: no broadcast needed
                payload = [self.instance_bank(feats)]
            else:
                payload = [None]
                if is_main_process():
                    payload = [self.compute(feats, runner.epoch)]
                if get_world_size() > 1:
                    broadcast_object_list(payload, src=0)
        finally:
            model.train(was_training)
            set_rng_states(rng)
        labels, centroids, phi = payload[0]
        model.set_clusters(labels, centroids, phi, epoch=runner.epoch,
                           transient=bank)
        self._to_sampler(runner)
        if bank:
            runner.logger.info(f'Vi2CLR warm-up (epoch {runner.epoch}): '
                               f'instance bank of {len(phi)} videos')
            return
        k = len(phi)
        purity = cluster_purity(labels, classes)
        runner.message_hub.update_scalar('vi2clr/num_clusters', k)
        text = f'Vi2CLR clustering (epoch {runner.epoch}): {k} clusters'
        if not np.isnan(purity):
            runner.message_hub.update_scalar('vi2clr/purity', purity)
            text += f', purity {purity:.3f}'
        runner.logger.info(text + f' (rank {get_rank()})')
        if k == 1:
            runner.logger.warning(
                'Vi2CLR: one cluster for the whole training set: every '
                'sample is a positive of every other (the clustered '
                'embedding has collapsed); see docs/vi2clr.md')

    @staticmethod
    def _to_sampler(runner):
        """Give the model's cluster labels ``(N,)`` (None: no clusters) to
        the training sampler, when it takes them."""
        sampler = runner.train_dataloader.sampler
        if hasattr(sampler, 'set_clusters'):
            clusters = unwrap_model(runner.model).clusters
            sampler.set_clusters(clusters.labels if clusters.assigned
                                 else None)

    def after_load_checkpoint(self, runner, checkpoint):
        # called before the state dict is loaded into the model
        self._loaded = checkpoint_position(checkpoint)
        migrate_meta_clusters(checkpoint)


def migrate_meta_clusters(checkpoint, prefix='clusters.'):
    """Move the clusters that earlier versions saved in
    ``checkpoint['meta']['vi2clr_clusters']`` (``labels`` ``(N,)``,
    ``centroids`` ``(k, d)``, ``phi`` ``(k,)``, ``epoch``) into the state
    dict as the model's ``clusters.*`` buffers (:class:`ClusterState`), in
    place. Returns True when it moved them; a state dict that has them
    already keeps its own."""
    state = (checkpoint.get('meta') or {}).pop('vi2clr_clusters', None)
    if state is None:
        return False
    weights = checkpoint.setdefault('state_dict', {})
    if prefix + 'labels' in weights:
        return False

    def tensor(x, dtype, empty):
        return torch.zeros(empty, dtype=dtype) if x is None else \
            torch.as_tensor(x, dtype=dtype)

    weights[prefix + 'labels'] = tensor(state['labels'], torch.long, (0, ))
    weights[prefix + 'centroids'] = tensor(state.get('centroids'),
                                           torch.float32, (0, 0))
    weights[prefix + 'phi'] = tensor(state.get('phi'), torch.float32, (0, ))
    weights[prefix + 'epoch'] = torch.tensor(int(state.get('epoch', -1)))
    return True

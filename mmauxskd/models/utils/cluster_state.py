"""The cluster assignment a clustering pretext trains with, as buffers."""
import torch
from torch import nn

__all__ = ['ClusterState']

_NAMES = ('labels', 'centroids', 'phi', 'epoch')


class ClusterState(nn.Module):
    """s(i), c_j and phi_j of Vi²CLR's Eq. 3 (PCL's ProtoNCE), as buffers.

    Buffers (in the owner's ``state_dict`` under this module's name, moved
    with the model to its device):

    * ``labels`` ``(N,)`` long: the cluster s(i) of every training video
      (dataset index i); ``(0,)``: none, every video is its own cluster;
    * ``centroids`` ``(k, d)`` float32: the L2-normalised centroids c_j;
      ``(0, 0)``: none (CenterNCE off);
    * ``phi`` ``(k,)`` float32: the concentrations phi_j of Eq. 3;
    * ``epoch`` ``()`` long: the epoch they were computed before, -1 if
      none.

    N and k are only known after a clustering, so loading a state dict
    resizes the buffers to the saved sizes. A state dict without these
    entries (written before they existed) loads as no clusters.

    ``transient`` clusters (the warm-up's instance bank, N x d floats that
    a resumed run recomputes) are used like the others but written to the
    state dict as none.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer('labels', torch.zeros(0, dtype=torch.long))
        self.register_buffer('centroids', torch.zeros(0, 0))
        self.register_buffer('phi', torch.zeros(0))
        self.register_buffer('epoch', torch.tensor(-1))
        self.transient = False

    @property
    def assigned(self):
        """True when every video has a cluster label."""
        return self.labels.numel() > 0

    @property
    def has_centroids(self):
        """True when CenterNCE has centroids c and phi."""
        return self.centroids.numel() > 0

    def set(self, labels, centroids=None, phi=None, epoch=-1,
            transient=False):
        """Store s(i) ``(N,)``, c ``(k, d)`` and phi ``(k,)`` (tensors or
        arrays, copied to the buffers' device); ``labels=None`` clears them,
        ``centroids=None``: labels only (CenterNCE off)."""
        device = self.epoch.device

        def tensor(x, dtype, empty):
            if x is None:
                return torch.zeros(empty, dtype=dtype, device=device)
            return torch.as_tensor(x, dtype=dtype).to(device)

        if labels is None:
            centroids = phi = None
            epoch = -1
        self.labels = tensor(labels, torch.long, (0, ))
        self.centroids = tensor(centroids, torch.float32, (0, 0))
        self.phi = tensor(phi, torch.float32, (0, ))
        self.epoch = torch.tensor(int(epoch), device=device)
        self.transient = bool(transient) and labels is not None

    def clear(self):
        """No clusters: every video is its own."""
        self.set(None)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        if self.transient:
            for name in _NAMES:
                value = destination[prefix + name]
                destination[prefix + name] = (
                    torch.full_like(value, -1) if name == 'epoch' else
                    value.new_zeros((0, 0) if name == 'centroids' else (0, )))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        present = [prefix + name in state_dict for name in _NAMES]
        if not any(present):  # a state dict from before these buffers
            self.clear()
            return
        for name, there in zip(_NAMES, present):
            own = getattr(self, name)
            if there and state_dict[prefix + name].shape != own.shape:
                setattr(self, name,
                        own.new_empty(state_dict[prefix + name].shape))
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
        self.transient = False

// Which data planes watch the config and how far each has got (go-control-plane's per-node status):
// the version last read for each node's WatchConfig stream, for the control plane's metrics. A node
// may briefly hold two streams (a reconnect racing the old one); it is listed while any is open.

export interface PlaneWatch {
  /** The node is up to date with this config version. */
  at(version: number): void;
  close(): void;
}

interface NodeState {
  streams: number;
  version: number;
}

export class PlaneWatchers {
  private readonly nodes = new Map<string, NodeState>();

  open(nodeId: string, knownVersion: number): PlaneWatch {
    let node = this.nodes.get(nodeId);
    if (!node) {
      node = { streams: 0, version: knownVersion };
      this.nodes.set(nodeId, node);
    }
    node.streams++;
    const state = node;
    let open = true;
    return {
      at: (version) => {
        state.version = version;
      },
      close: () => {
        if (!open) return;
        open = false;
        state.streams--;
        if (state.streams === 0 && this.nodes.get(nodeId) === state) this.nodes.delete(nodeId);
      },
    };
  }

  /** Each connected node's version. */
  snapshot(): Array<{ nodeId: string; version: number }> {
    return [...this.nodes].map(([nodeId, { version }]) => ({ nodeId, version }));
  }
}

/**
 * A binary min-heap of (key, owner, node) kept in parallel arrays, so pushing a ready node
 * allocates nothing but array growth. Keys are unique per queue (priority and insertion order
 * packed into one number), which makes the order deterministic.
 */
export class ReadyQueue<T> {
  #keys: number[] = [];
  #owners: T[] = [];
  #nodes: number[] = [];

  get size(): number {
    return this.#keys.length;
  }

  push(key: number, owner: T, node: number): void {
    const keys = this.#keys;
    const owners = this.#owners;
    const nodes = this.#nodes;
    let i = keys.length;
    keys.push(key);
    owners.push(owner);
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] as number;
      if (pk <= key) break;
      keys[i] = pk;
      owners[i] = owners[parent] as T;
      nodes[i] = nodes[parent] as number;
      i = parent;
    }
    keys[i] = key;
    owners[i] = owner;
    nodes[i] = node;
  }

  /** The owner of the smallest entry (call only when `size > 0`). */
  peekOwner(): T {
    return this.#owners[0] as T;
  }

  /** Removes the smallest entry and returns its node (call only when `size > 0`). */
  pop(): number {
    const keys = this.#keys;
    const owners = this.#owners;
    const nodes = this.#nodes;
    const top = nodes[0] as number;
    const lastKey = keys.pop() as number;
    const lastOwner = owners.pop() as T;
    const lastNode = nodes.pop() as number;
    const n = keys.length;
    if (n > 0) this.#siftDown(0, lastKey, lastOwner, lastNode, n);
    return top;
  }

  #siftDown(start: number, key: number, owner: T, node: number, n: number): void {
    const keys = this.#keys;
    const owners = this.#owners;
    const nodes = this.#nodes;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (keys[right] as number) < (keys[child] as number)) child = right;
      if ((keys[child] as number) >= key) break;
      keys[i] = keys[child] as number;
      owners[i] = owners[child] as T;
      nodes[i] = nodes[child] as number;
      i = child;
    }
    keys[i] = key;
    owners[i] = owner;
    nodes[i] = node;
  }

  /** Drops every entry of `owner` (a run that ended) in one pass, then restores the heap. */
  removeOwner(owner: T): void {
    const keys = this.#keys;
    const owners = this.#owners;
    const nodes = this.#nodes;
    let w = 0;
    for (let r = 0; r < keys.length; r++) {
      if (owners[r] === owner) continue;
      keys[w] = keys[r] as number;
      owners[w] = owners[r] as T;
      nodes[w] = nodes[r] as number;
      w++;
    }
    keys.length = w;
    owners.length = w;
    nodes.length = w;
    for (let i = (w >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, keys[i] as number, owners[i] as T, nodes[i] as number, w);
    }
  }
}

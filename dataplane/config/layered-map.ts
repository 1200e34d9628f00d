// A read-only map made of a shared base and a small layer of changes on top. Every config delta makes
// a new view, and copying a 10,000-entry Map for it costs about 3 ms here, several times a second
// while billing moves balances. A new view instead shares its predecessor's base and copies only the
// layer; the layer is folded into a fresh base once it outgrows an eighth of it, so a lookup is at most
// two probes and the copying amortises to a constant per change. Values are never undefined.

const GONE: unique symbol = Symbol("gone");
const MIN_FOLD = 64;

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly layer: ReadonlyMap<K, V | typeof GONE>,
    readonly size: number,
  ) {}

  static from<K, V>(map: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return map instanceof LayeredMap ? map : new LayeredMap(map, new Map(), map.size);
  }

  get(key: K): V | undefined {
    const value = this.layer.get(key);
    if (value !== undefined) return value === GONE ? undefined : value;
    return this.base.get(key);
  }

  has(key: K): boolean {
    const value = this.layer.get(key);
    if (value !== undefined) return value !== GONE;
    return this.base.has(key);
  }

  /** This map with `changes` applied (undefined deletes); this one is untouched. */
  with(changes: ReadonlyMap<K, V | undefined>): LayeredMap<K, V> {
    if (changes.size === 0) return this;
    const layer = new Map(this.layer);
    let size = this.size;
    for (const [key, value] of changes) {
      const had = this.has(key);
      if (value === undefined) {
        if (had) size--;
        if (this.base.has(key)) layer.set(key, GONE);
        else layer.delete(key);
      } else {
        if (!had) size++;
        layer.set(key, value);
      }
    }
    const next = new LayeredMap(this.base, layer, size);
    return layer.size * 8 > Math.max(this.base.size, MIN_FOLD) ? new LayeredMap(new Map(next), new Map(), size) : next;
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.layer) if (value !== GONE) yield [key, value];
    for (const entry of this.base) if (!this.layer.has(entry[0])) yield entry;
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from './ready-queue.js';

describe('ReadyQueue', () => {
  it('pops entries in key order, matching a sort (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y'))),
        fc.integer({ min: 0, max: 20 }),
        (entries, popEvery) => {
          const queue = new ReadyQueue<string>();
          const reference: { key: number; owner: string; node: number }[] = [];
          const popped: number[] = [];
          const expected: number[] = [];
          entries.forEach(([priority, owner], seq) => {
            const key = priority * 2 ** 44 + seq;
            queue.push(key, owner, seq);
            reference.push({ key, owner, node: seq });
            if (popEvery > 0 && seq % popEvery === 0) {
              reference.sort((a, b) => a.key - b.key);
              expect(queue.peekOwner()).toBe(reference[0]?.owner);
              popped.push(queue.pop());
              expected.push((reference.shift() as { node: number }).node);
            }
          });
          queue.removeOwner('y');
          const rest = reference.filter((e) => e.owner !== 'y').sort((a, b) => a.key - b.key);
          while (queue.size > 0) popped.push(queue.pop());
          expect(popped).toEqual([...expected, ...rest.map((e) => e.node)]);
        },
      ),
    );
  });
});

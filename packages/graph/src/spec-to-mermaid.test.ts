import { describe, expect, it } from 'vitest';
import { graphOf } from '../test/support.js';

describe('toMermaid', () => {
  it('draws required, optional and conditional edges distinguishably, routers as rhombi', () => {
    const g = graphOf(
      {
        fetch: (x: unknown) => x,
        'say "hi"': (x: unknown) => x,
        classify: (x: unknown) => x,
        a: (x: unknown) => x,
        b: (x: unknown) => x,
      },
      [
        ['fetch', 'classify'],
        ['fetch', 'say "hi"', false],
      ],
    );
    g.addConditionalEdges('classify', () => 'a', ['a', 'b'])._unsafeUnwrap();
    expect(g.toMermaid()).toBe(
      [
        'flowchart TD',
        '  n0["fetch"]',
        '  n1["say #quot;hi#quot;"]',
        '  n2{"classify"}',
        '  n3["a"]',
        '  n4["b"]',
        '  n0 --> n2',
        '  n0 -. optional .-> n1',
        '  n2 == route ==> n3',
        '  n2 == route ==> n4',
        '  classDef entry stroke-width:3px',
        '  classDef finish stroke-width:3px,stroke-dasharray:4 2',
        '  class n0 entry',
        '  class n1,n3,n4 finish',
      ].join('\n'),
    );
  });

  it('marks declared entry and finish points', () => {
    const g = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x }, [['a', 'b']]);
    g.setFinishPoint('a')._unsafeUnwrap();
    expect(g.toMermaid()).toContain('class n0 finish');
  });
});

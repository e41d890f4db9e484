import { AIMessageChunk } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { accumulateChunk } from './accumulate-chunk.js';

describe('accumulateChunk', () => {
  it('joins strings', () => {
    expect(['a', 'b', 'c'].reduce((acc, c) => accumulateChunk(acc, c) as string)).toBe('abc');
  });

  it('concatenates message chunks', () => {
    const out = accumulateChunk(new AIMessageChunk('Hel'), new AIMessageChunk('lo'));
    expect(AIMessageChunk.isInstance(out)).toBe(true);
    expect((out as AIMessageChunk).content).toBe('Hello');
  });

  it('concatenates arrays (list parsers stream one item at a time)', () => {
    expect(accumulateChunk(['a'], ['b'])).toEqual(['a', 'b']);
  });

  it('keeps the newer value otherwise (cumulative JSON, numbers, mixed types)', () => {
    expect(accumulateChunk({ a: 'he' }, { a: 'hello' })).toEqual({ a: 'hello' });
    expect(accumulateChunk(1, 2)).toBe(2);
    expect(accumulateChunk('a', 1)).toBe(1);
  });

  it('keeps the newer value when concat throws', () => {
    const throwing = {
      concat: () => {
        throw new Error('no');
      },
    };
    expect(accumulateChunk(throwing, 'next')).toBe('next');
  });
});

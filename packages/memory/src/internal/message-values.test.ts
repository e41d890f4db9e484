import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { groupExchanges, pickValue, stringifyValue } from './message-values.js';

describe('groupExchanges', () => {
  it('starts an exchange at each human message, with leading messages as their own group', () => {
    const groups = groupExchanges([
      new SystemMessage('s'),
      new HumanMessage('q1'),
      new AIMessage('call'),
      new ToolMessage({ content: 'r', tool_call_id: '1' }),
      new AIMessage('a1'),
      new HumanMessage('q2'),
    ]);
    expect(groups.map((g) => g.map((m) => m.text))).toEqual([
      ['s'],
      ['q1', 'call', 'r', 'a1'],
      ['q2'],
    ]);
    expect(groupExchanges([])).toEqual([]);
    const consecutive = groupExchanges([
      new HumanMessage('q1'),
      new HumanMessage('q1 again'),
      new AIMessage('a1'),
      new HumanMessage('q2'),
    ]);
    expect(consecutive.map((g) => g.map((m) => m.text))).toEqual([
      ['q1', 'q1 again', 'a1'],
      ['q2'],
    ]);
  });
});

describe('pickValue', () => {
  it('uses an explicit key, else the only key, else the preferred one, else all as a record', () => {
    expect(pickValue({ a: 1, b: 2 }, 'b', [], 'input')).toBe(2);
    expect(pickValue({ history: 'x', q: 1 }, undefined, ['history'], 'input')).toBe(1);
    expect(pickValue({ input: 1, q: 2 }, undefined, [], 'input')).toBe(1);
    expect(pickValue({ a: 1, b: 2 }, undefined, [], 'input')).toEqual({ a: 1, b: 2 });
    expect(pickValue({}, undefined, [], 'input')).toBeUndefined();
  });
});

describe('stringifyValue', () => {
  it('renders any value as text', () => {
    expect(stringifyValue('s')).toBe('s');
    expect(stringifyValue(3n)).toBe('3');
    expect(stringifyValue(null)).toBe('null');
    expect(stringifyValue([new AIMessage('a'), new AIMessage('b')])).toBe('a\nb');
    expect(stringifyValue(Symbol('x'))).toContain('Symbol(x)');
  });
});

/** The chunks of a LangChain step carry the path of the node and steps it runs in. */
import { runnable, sequence, type RunEvent } from '@baton/core';
import { createGraph } from '@baton/graph';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromLangChain } from '../src/index.js';

/** `type:path` of each event that has a path. */
function paths(events: readonly RunEvent[]): string[] {
  return events.flatMap((e) => ('path' in e ? [`${e.type}:${e.path.join('/')}`] : []));
}

describe('fromLangChain event paths', () => {
  it('a LangChain model in a sequence run as graph node "answer": chunks at [answer, model]', async () => {
    const model = fromLangChain(
      new FakeListChatModel({ responses: ['hi'] }).pipe(new StringOutputParser()),
    );
    const answer = sequence(
      runnable('prompt', (q: string) => q),
      model,
    );
    const g = createGraph<string, string>()._unsafeUnwrap();
    g.addNode('answer', answer)._unsafeUnwrap();
    const events = await firstValueFrom(g.stream('q').pipe(toArray()));
    const got = paths(events);
    const step = model.name;
    expect(got).toContain(`step-start:answer/${step}`);
    expect(got).toContain(`chunk:answer/${step}`);
    expect(got.filter((p) => p.startsWith('chunk:'))).toEqual(
      got.filter((p) => p === `chunk:answer/${step}`),
    );
    expect(got.at(-1)).toBe('step-end:answer');
  });
});

/**
 * The NLP of the demo, on wink-nlp with its English lite model (the model ships inside the npm
 * package: no download, no network). Pure functions of a text; the actions in `actions.ts` run
 * them as pipeline tasks.
 */
/* eslint-disable @typescript-eslint/unbound-method -- wink-nlp's `its`/`as` helpers are passed as functions by design */
import winkNLP, { type ItemToken, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** The model's name, reported by every task that uses it (the live view shows it). */
export const NLP_MODEL = 'wink-eng-lite-web-model';

let loaded: WinkMethods | undefined;

/** The model loads once per process (about a third of a second). */
function nlp(): WinkMethods {
  loaded ??= winkNLP(model);
  return loaded;
}

/** A named entity and how often it occurs. */
interface Entity {
  readonly value: string;
  /** The model's type (DATE, CARDINAL, MONEY, ...) or PROPER_NOUN for a run of proper nouns. */
  readonly type: string;
  readonly count: number;
}

/** What `analyzeText` finds in a text. */
export interface TextAnalysis {
  readonly sentences: readonly string[];
  readonly entities: readonly Entity[];
  readonly keywords: readonly { readonly word: string; readonly count: number }[];
  /** The model's sentiment of the whole text, -1 (negative) .. 1 (positive). */
  readonly sentiment: number;
  readonly mostPositive: string;
  readonly mostNegative: string;
}

function countEntities(found: readonly { value: string; type: string }[]): Entity[] {
  const counts = new Map<string, Entity>();
  for (const { value, type } of found) {
    const key = `${type}\u0000${value}`;
    const seen = counts.get(key);
    counts.set(key, { value, type, count: (seen?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/**
 * Sentences, named entities, keywords and sentiment of `text`. Entities are the model's named
 * entities (dates, numbers, money, ...) plus runs of proper nouns tagged by its part-of-speech
 * tagger (people, places, institutions), which the lite model's entity recogniser does not cover.
 */
export function analyzeText(text: string): TextAnalysis {
  const n = nlp();
  const { its, as } = n;
  const doc = n.readDoc(text);
  const sentences = doc.sentences().out();
  const found = (doc.entities().out(its.detail) as { value: string; type: string }[]).map(
    ({ value, type }) => ({ value, type }),
  );
  const named = found.map((e) => e.value);
  let run: string[] = [];
  const flush = (): void => {
    const value = run.join(' ');
    // "November" of "November 19, 1863" is part of an entity the recogniser found already.
    if (run.length > 0 && !named.some((n) => n.includes(value)))
      found.push({ value, type: 'PROPER_NOUN' });
    run = [];
  };
  doc.tokens().each((token: ItemToken) => {
    if (token.out(its.pos) === 'PROPN' && token.out(its.type) === 'word') run.push(token.out());
    else flush();
  });
  flush();
  const keywords = (
    doc
      .tokens()
      .filter((t) => t.out(its.type) === 'word' && !t.out(its.stopWordFlag))
      .out(its.normal, as.freqTable) as [string, number][]
  )
    .filter(([word]) => word.length > 3)
    .slice(0, 8)
    .map(([word, count]) => ({ word, count }));
  const scores = doc.sentences().out(its.sentiment) as number[];
  const pick = (better: (a: number, b: number) => boolean): string => {
    let best = 0;
    scores.forEach((score, i) => {
      if (better(score, scores[best] ?? 0)) best = i;
    });
    return sentences[best] ?? '';
  };
  return {
    sentences,
    entities: countEntities(found),
    keywords,
    sentiment: Number((doc.out(its.sentiment) as number).toFixed(3)),
    mostPositive: pick((a, b) => a > b),
    mostNegative: pick((a, b) => a < b),
  };
}

/**
 * The actions of the NLP report pipeline, loaded by the CLI with
 * `baton run pipeline.yaml --actions actions.ts`. Each is a Baton Runnable with a zod schema of
 * its parameters (checked by `baton validate`).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OrchestrationError, runnable } from '@baton/core';
import type { ActionsModule } from 'baton';
import { z } from 'zod';
import { analyzeText, NLP_MODEL, type TextAnalysis } from './nlp.js';

/** One document of the folder: its first line is the title, its second the byline. */
interface Document {
  readonly id: string;
  readonly title: string;
  readonly byline: string;
  readonly text: string;
}

/** What `nlp.analyze` returns for one document. */
interface DocumentAnalysis extends Omit<TextAnalysis, 'sentences'> {
  readonly kind: 'nlp.analysis';
  readonly document: string;
  readonly title: string;
  readonly byline: string;
  readonly model: string;
  readonly sentenceCount: number;
  readonly words: number;
}

function parse(raw: string, id: string): Document {
  const [title = id, byline = '', ...rest] = raw.split('\n');
  return { id, title: title.trim(), byline: byline.trim(), text: rest.join('\n').trim() };
}

const readFolderSchema = z.object({ folder: z.string().min(1) });

/** Reads every `.txt` file of a folder; says whether a chat model can summarise (`llm`). */
const readFolder = runnable('nlp.read_folder', async (params: Record<string, unknown>) => {
  const { folder } = readFolderSchema.parse(params);
  const names = (await readdir(folder)).filter((n) => n.endsWith('.txt')).sort();
  if (names.length === 0)
    throw new OrchestrationError('invalid_input', `no .txt documents in ${resolve(folder)}`);
  const documents: Record<string, Document> = {};
  for (const name of names) {
    const id = basename(name, '.txt');
    documents[id] = parse(await readFile(join(folder, name), 'utf8'), id);
  }
  const llm = (process.env['OPENAI_API_KEY'] ?? '') !== '';
  return { documents, ids: Object.keys(documents), llm };
});

const analyzeSchema = z.object({ document: z.string().min(1) });

function documentOf(params: Record<string, unknown>): Document {
  const { document } = analyzeSchema.parse(params);
  // The folder's output reaches the task merged into its parameters, under the task's id.
  for (const value of Object.values(params)) {
    const docs = (value as { documents?: Record<string, Document> } | null)?.documents;
    if (docs !== undefined && Object.hasOwn(docs, document)) return docs[document] as Document;
  }
  throw new OrchestrationError(
    'invalid_input',
    `document "${document}" is not in the folder the task depends on`,
  );
}

/** Sentences, entities, keywords and sentiment of one document. */
const analyze = runnable('nlp.analyze', (params: Record<string, unknown>): DocumentAnalysis => {
  const doc = documentOf(params);
  // The byline is analysed with the text: its people, places and dates are entities too.
  const { sentences, ...found } = analyzeText(`${doc.byline}.\n\n${doc.text}`);
  return {
    kind: 'nlp.analysis',
    document: doc.id,
    title: doc.title,
    byline: doc.byline,
    model: NLP_MODEL,
    sentenceCount: sentences.length,
    words: doc.text.split(/\s+/).filter(Boolean).length,
    ...found,
  };
});

const reportSchema = z.object({ out: z.string().min(1), title: z.string().optional() });

function collect<T extends { kind: string }>(
  params: Record<string, unknown>,
  kind: T['kind'],
): T[] {
  return Object.values(params).filter(
    (v): v is T => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === kind,
  );
}

function section(a: DocumentAnalysis, summary: string | undefined, llm: boolean): string {
  const entities = a.entities.map(
    (e) => `${e.value} (${e.type}${e.count > 1 ? ` ×${e.count}` : ''})`,
  );
  const lines = [
    `## ${a.title}`,
    '',
    `*${a.byline}* · ${a.words} words · ${a.sentenceCount} sentences · sentiment ${a.sentiment}`,
    '',
    `**Entities:** ${entities.join(', ') || 'none'}`,
    '',
    `**Keywords:** ${a.keywords.map((k) => `${k.word} (${k.count})`).join(', ')}`,
    '',
    `**Most positive sentence:** ${a.mostPositive}`,
    '',
    `**Most negative sentence:** ${a.mostNegative}`,
    '',
  ];
  if (summary !== undefined) lines.push(`**Summary** (${SUMMARY_MODEL}): ${summary}`, '');
  else
    lines.push(
      `**Summary:** ${llm ? 'failed, see `baton show`' : 'skipped: set OPENAI_API_KEY to add one'}`,
      '',
    );
  return lines.join('\n');
}

/** Joins the analyses (and summaries) into a Markdown report written to `out`. */
const report = runnable('nlp.report', async (params: Record<string, unknown>) => {
  const { out, title } = reportSchema.parse(params);
  const analyses = collect<DocumentAnalysis>(params, 'nlp.analysis').sort((a, b) =>
    a.document.localeCompare(b.document),
  );
  // A summary task's output is the model's text, under the task's id (`summary_<document>`).
  const summaries = new Map<string, string>();
  for (const a of analyses) {
    const text = params[`summary_${a.document.replace(/-/g, '_')}`];
    if (typeof text === 'string') summaries.set(a.document, text);
  }
  const llm = (process.env['OPENAI_API_KEY'] ?? '') !== '';
  const rows = analyses.map(
    (a) =>
      `| ${a.title} | ${a.words} | ${a.sentenceCount} | ${a.sentiment} | ${a.keywords
        .slice(0, 4)
        .map((k) => k.word)
        .join(', ')} |`,
  );
  const markdown = [
    `# ${title ?? 'NLP report'}`,
    '',
    `${analyses.length} documents analysed with ${NLP_MODEL} (wink-nlp)${summaries.size > 0 ? `, ${summaries.size} summarised by a chat model` : ''}.`,
    '',
    '![The pipeline](pipeline.svg)',
    '',
    '| document | words | sentences | sentiment | keywords |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...analyses.map((a) => section(a, summaries.get(a.document), llm)),
  ].join('\n');
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, markdown);
  return { report: resolve(out), documents: analyses.length, summaries: summaries.size };
});

export const actions: ActionsModule['actions'] = [
  {
    name: 'nlp.read_folder',
    runnable: readFolder,
    schema: readFolderSchema,
    description: 'reads the .txt documents of a folder',
  },
  {
    name: 'nlp.analyze',
    runnable: analyze,
    schema: analyzeSchema.loose(),
    description: 'sentences, entities, keywords and sentiment of one document',
  },
  {
    name: 'nlp.report',
    runnable: report,
    schema: reportSchema.loose(),
    description: 'the Markdown report',
  },
];

/** The chat model of the summaries, when OPENAI_API_KEY is set. */
const SUMMARY_MODEL = process.env['OPENAI_MODEL'] ?? 'gpt-4o-mini';

async function openAiModels(): Promise<NonNullable<ActionsModule['models']>> {
  if ((process.env['OPENAI_API_KEY'] ?? '') === '') {
    process.stderr.write('OPENAI_API_KEY is not set: the summary tasks will be skipped\n');
    return [];
  }
  // Loaded only with a key: the offline demo never imports the OpenAI client.
  const { ChatOpenAI } = await import('@langchain/openai');
  return [
    {
      name: SUMMARY_MODEL,
      capabilities: ['text', 'chat'],
      costPerMTokIn: 0.15,
      costPerMTokOut: 0.6,
      runnable: new ChatOpenAI({ model: SUMMARY_MODEL }),
    },
  ];
}

/** `generate_text` picks from these: a LangChain chat model when a key is set, else none. */
export const models: ActionsModule['models'] = await openAiModels();

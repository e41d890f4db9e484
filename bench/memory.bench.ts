/**
 * Memory benchmarks, side by side with LangChain in the same process.
 *
 * 1. Buffer memory, one conversation turn = `load` + `save` on an in-memory history, over a
 *    10-turn conversation (so the transcript grows as it does in use). Baseline: LangChain's
 *    `InMemoryChatMessageHistory` doing the same work by hand (getMessages + getBufferString +
 *    addMessages), which is what LangChain's classic BufferMemory does inside.
 * 2. Redis chat history append latency (p50/p99): `RedisChatHistory.addMessage` (without and with
 *    a TTL, which adds a MULTI/PEXPIRE), against a raw ioredis RPUSH of the same stored message
 *    as the floor. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); skipped otherwise.
 * 3. File chat history append latency (p50/p99): one fsynced JSONL append per message.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBufferMemory,
  createFileChatHistory,
  createRedisChatHistory,
  withDirectory,
  withRedisClient,
  withRedisKeyPrefix,
  withRedisTtlMs,
} from '@baton/memory';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, getBufferString } from '@langchain/core/messages';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';

const TURNS = 10;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const question = (i: number): string => `Question number ${i}: what did I tell you before?`;
const answer = (i: number): string => `Answer number ${i}: you told me several things.`;

async function batonConversation(): Promise<number> {
  const memory = createBufferMemory()._unsafeUnwrap();
  let chars = 0;
  for (let i = 0; i < TURNS; i++) {
    const loaded = (await memory.load({ input: question(i) }))._unsafeUnwrap();
    chars += (loaded['history'] as string).length;
    (await memory.save({ input: question(i) }, { output: answer(i) }))._unsafeUnwrap();
  }
  return chars;
}

async function langchainConversation(): Promise<number> {
  const history = new InMemoryChatMessageHistory();
  let chars = 0;
  for (let i = 0; i < TURNS; i++) {
    chars += getBufferString(await history.getMessages()).length;
    await history.addMessages([new HumanMessage(question(i)), new AIMessage(answer(i))]);
  }
  return chars;
}

function row(name: string, latency: { mean: number; p50: number; p99: number }, scale = 1) {
  return {
    task: name,
    'mean (µs)': ((latency.mean * 1e3) / scale).toFixed(2),
    'p50 (µs)': ((latency.p50 * 1e3) / scale).toFixed(2),
    'p99 (µs)': ((latency.p99 * 1e3) / scale).toFixed(2),
  };
}

function latencies(bench: Bench) {
  return new Map(
    bench.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      return [task.name, result.latency] as const;
    }),
  );
}

async function bufferTurns(): Promise<void> {
  const [baton, lc] = [await batonConversation(), await langchainConversation()];
  if (baton !== lc) throw new Error(`transcripts differ: ${baton} vs ${lc} characters`);
  const bench = new Bench({ time: 2_000, warmupTime: 300 });
  bench
    .add('baton buffer memory', batonConversation)
    .add('langchain history + getBufferString', langchainConversation);
  await bench.run();
  const stats = latencies(bench);
  console.log(`\nBuffer memory: one turn = load + save (mean over a ${TURNS}-turn conversation)`);
  console.table([...stats].map(([name, latency]) => row(name, latency, TURNS)));
  const ratio =
    (stats.get('langchain history + getBufferString')?.mean ?? NaN) /
    (stats.get('baton buffer memory')?.mean ?? NaN);
  console.log(`LangChain / Baton time per turn: ${ratio.toFixed(2)}x (> 1 means Baton is faster)`);
}

async function redisAppends(): Promise<void> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    console.log(`\nRedis append latency: skipped, no Redis at ${REDIS_URL}`);
    client.disconnect();
    return;
  }
  const prefix = `baton-bench:${randomUUID()}:`;
  try {
    const plain = createRedisChatHistory(
      'plain',
      withRedisClient(client),
      withRedisKeyPrefix(prefix),
    )._unsafeUnwrap();
    const ttl = createRedisChatHistory(
      'ttl',
      withRedisClient(client),
      withRedisKeyPrefix(prefix),
      withRedisTtlMs(600_000),
    )._unsafeUnwrap();
    const message = new HumanMessage(question(1));
    const raw = JSON.stringify(message.toDict());
    const bench = new Bench({ time: 3_000, warmupTime: 300 });
    bench
      .add('raw ioredis RPUSH', async () => {
        await client.rpush(`${prefix}raw`, raw);
      })
      .add('baton RedisChatHistory.addMessage', async () => {
        (await plain.addMessage(message))._unsafeUnwrap();
      })
      .add('baton addMessage with TTL (MULTI)', async () => {
        (await ttl.addMessage(message))._unsafeUnwrap();
      });
    await bench.run();
    const stats = latencies(bench);
    console.log(
      `\nRedis chat history append latency (${REDIS_URL.replace(/:[^:@/]*@/, ':***@')}, one message)`,
    );
    console.table([...stats].map(([name, latency]) => row(name, latency)));
    const overhead =
      (stats.get('baton RedisChatHistory.addMessage')?.p50 ?? NaN) -
      (stats.get('raw ioredis RPUSH')?.p50 ?? NaN);
    console.log(`Baton overhead over a raw RPUSH at p50: ${(overhead * 1e3).toFixed(1)} µs`);
  } finally {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  }
}

async function fileAppends(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-bench-'));
  try {
    const history = createFileChatHistory('bench', withDirectory(dir))._unsafeUnwrap();
    const message = new HumanMessage(question(1));
    const bench = new Bench({ time: 2_000, warmupTime: 200 });
    bench.add('baton FileChatHistory.addMessage (fsync)', async () => {
      (await history.addMessage(message))._unsafeUnwrap();
    });
    await bench.run();
    console.log(`\nFile chat history append latency (${tmpdir()}, fsync per append)`);
    console.table([...latencies(bench)].map(([name, latency]) => row(name, latency)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await bufferTurns();
await redisAppends();
await fileAppends();

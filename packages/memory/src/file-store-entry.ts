/**
 * @baton/memory/file-store — the file checkpoint store alone. Importing it loads neither
 * LangChain (the chat memories), ioredis nor pg, which `@baton/memory` loads at import: for tools
 * where start-up time counts (the `baton` CLI's default store). The same bindings as in
 * `@baton/memory`.
 */
export { createFileCheckpointStore } from './file-checkpoint-store.js';
export type { FileCheckpointStoreConfig } from './file-checkpoint-store.js';
export { withDirectory } from './file-options.js';
export type { DirectoryConfig } from './file-options.js';

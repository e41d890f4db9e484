import type { Option } from '@baton/core';

/** Where a file backend keeps its files. */
export interface DirectoryConfig {
  /** Directory of the files, created on first write. */
  readonly directory: string;
}

/**
 * Sets the directory of a file backend (`createFileChatHistory`, `createFileCheckpointStore`).
 * Relative paths resolve against the working directory when the backend is created.
 */
export function withDirectory(directory: string): Option<DirectoryConfig> {
  return (draft) => {
    draft.directory = directory;
  };
}

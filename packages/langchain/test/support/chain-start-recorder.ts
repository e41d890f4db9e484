import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { ChainValues } from '@langchain/core/utils/types';

/** A LangChain callback handler recording the run id and run name of every chain start. */
export class ChainStartRecorder extends BaseCallbackHandler {
  name = 'chain-start-recorder';
  readonly starts: { runId: string; runName: string | undefined }[] = [];

  override handleChainStart(
    _chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    _runType?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    _runName?: string,
    runName?: string,
  ): void {
    // LangChain's types list (.., runId, runType, tags, metadata, runName, parentRunId), but its
    // CallbackManager calls handlers with (.., runId, parentRunId, tags, metadata, runType, runName).
    this.starts.push({ runId, runName });
  }
}

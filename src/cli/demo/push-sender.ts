// The push-sender workload (fixtures/push-sender/index.mjs, plain JS) with the types the demo relies on.

export interface SenderProgress {
  mode: string;
  sent: number;
  members: number;
  recorded: number;
  heapUsedMb: number;
}

export interface SenderSummary {
  event: 'done';
  mode: 'leaky' | 'fixed';
  members: number;
  batchSize: number;
  batches: number;
  recorded: number;
  outcomes: Record<string, number>;
  failedBatches: { count: number; firstError: string | null };
  durationMs: number;
  peakHeapUsed: number;
}

export interface SenderCommandOptions {
  providerUrl: string;
  members: number;
  mode: 'leaky' | 'fixed';
  progressEvery?: number;
  node?: string;
}

export interface PushSenderModule {
  SENDER_SCRIPT: string;
  PROVIDER_SCRIPT: string;
  senderCommand(options: SenderCommandOptions): string[];
  parseProgressLine(line: string): SenderProgress | null;
  parseSummaryLine(line: string): SenderSummary | null;
}

// src/cli/demo and dist/cli/demo are both three levels below the package root, beside fixtures/
const MODULE_URL = new URL('../../../fixtures/push-sender/index.mjs', import.meta.url);

export async function loadPushSender(): Promise<PushSenderModule> {
  return (await import(MODULE_URL.href)) as PushSenderModule;
}

// Event Hub triggers with the real @azure/event-hubs consumer and blob
// checkpoints (container `azure-webjobs-eventhub` in AzureWebJobsStorage, as
// the host uses). Batches (`cardinality: 'many'`) get triggerMetadata shaped
// like the Functions host's. A failed batch is retried per the function's
// retry option (`maxRetryCount: -1`: without end); once the retries are spent
// (or at once, without a retry option) the checkpoint moves past the batch and
// the next one is delivered, as Azure's host does (docs/local-host.md).
import { earliestEventPosition, type EventData, EventHubConsumerClient, type PartitionContext, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';
import type { RpcRetryOptions, RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import { type HostLogger, invoke, resolveAppSetting, triggerBindingName } from './invoke';

export interface EventHubListenerOptions {
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly hostStorageConnectionString: string;
  readonly logger: HostLogger;
  readonly maxBatchSize: number;
  readonly maxWaitTimeInSeconds?: number;
  /** Partition load balancing among hosts sharing the consumer group (the SDK's defaults: 10 s and 60 s). */
  readonly loadBalancing?: { readonly updateIntervalInMs?: number; readonly partitionOwnershipExpirationIntervalInMs?: number };
}

export interface EventHubListener {
  readonly name: string;
  stop(): Promise<void>;
}

const CHECKPOINT_CONTAINER = 'azure-webjobs-eventhub';

const seconds = (d: RpcRetryOptions['delayInterval']): number => (d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;

/** Delay before retry number `attempt` (1-based) under the function's retry option. */
export function retryDelayMs(options: RpcRetryOptions, attempt: number): number {
  if (options.retryStrategy === 'exponentialBackoff') {
    const min = seconds(options.minimumInterval) * 1000;
    const max = seconds(options.maximumInterval) * 1000;
    return Math.min(max, min * 2 ** (attempt - 1));
  }
  return seconds(options.delayInterval) * 1000;
}

function utf8Body(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const text = Buffer.from(body).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return body;
}

/** Builds the RPC trigger metadata the host sends for a batch; the library camel-cases it. */
export function batchTriggerMetadata(events: readonly ReceivedEventData[], partition: PartitionContext): Record<string, RpcTypedData> {
  const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });
  return {
    PartitionContext: json({
      FullyQualifiedNamespace: partition.fullyQualifiedNamespace,
      EventHubName: partition.eventHubName,
      ConsumerGroup: partition.consumerGroup,
      PartitionId: partition.partitionId,
    }),
    EnqueuedTimeUtcArray: json(events.map((e) => e.enqueuedTimeUtc.toISOString())),
    SequenceNumberArray: json(events.map((e) => e.sequenceNumber)),
    OffsetArray: json(events.map((e) => String(e.offset))),
    PartitionKeyArray: json(events.map((e) => e.partitionKey ?? null)),
    PropertiesArray: json(events.map((e) => e.properties ?? {})),
    SystemPropertiesArray: json(
      events.map((e) => ({
        ...e.systemProperties,
        SequenceNumber: e.sequenceNumber,
        Offset: String(e.offset),
        PartitionKey: e.partitionKey ?? null,
        EnqueuedTimeUtc: e.enqueuedTimeUtc.toISOString(),
      })),
    ),
  };
}

export async function startEventHubListener(fn: RegisteredFunction, options: EventHubListenerOptions): Promise<EventHubListener> {
  const triggerName = triggerBindingName(fn);
  const binding = fn.metadata.bindings[triggerName]!;
  const eventHubName = resolveAppSetting(binding.eventHubName, options.settings) ?? '';
  const consumerGroup = resolveAppSetting(binding.consumerGroup, options.settings) ?? '$Default';
  const connectionName = typeof binding.connection === 'string' ? binding.connection : '';
  const connectionString = options.settings[connectionName];
  if (!connectionString) throw new Error(`function ${fn.metadata.name}: connection setting '${connectionName}' is not set`);
  const many = binding.cardinality === 'many';
  const retry = fn.metadata.retryOptions;

  const container = new ContainerClient(options.hostStorageConnectionString, CHECKPOINT_CONTAINER);
  await container.createIfNotExists();
  const client = new EventHubConsumerClient(consumerGroup, connectionString, eventHubName, new BlobCheckpointStore(container), {
    ...(options.loadBalancing ? { loadBalancingOptions: { strategy: 'balanced', ...options.loadBalancing } } : {}),
  });
  let stopping = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function deliver(events: ReceivedEventData[], partition: PartitionContext): Promise<void> {
    const triggerMetadata = batchTriggerMetadata(events, partition);
    const bodies = events.map((e) => utf8Body(e.body));
    const maxRetryCount = retry?.maxRetryCount ?? 0;
    for (let attempt = 0; !stopping; attempt++) {
      const inputs = many ? bodies : [bodies[0]];
      const outcome = await invoke(
        fn,
        {
          inputData: [{ name: triggerName, data: { json: JSON.stringify(many ? inputs : inputs[0]) } }],
          triggerMetadata,
          ...(retry ? { retryContext: { retryCount: attempt, maxRetryCount } } : {}),
        },
        options.logger,
      );
      if (outcome.ok) break;
      const unlimited = maxRetryCount === -1;
      if (!retry || (!unlimited && attempt >= maxRetryCount)) {
        // Azure's host does the same: the failure is logged and the checkpoint moves on.
        options.logger({
          level: 'warning',
          category: 'system',
          functionName: fn.metadata.name,
          invocationId: '-',
          message: `batch of ${events.length} from partition ${partition.partitionId} failed ${attempt + 1} time(s); retries spent, moving past it as Azure's host does`,
        });
        break;
      }
      await sleep(retryDelayMs(retry, attempt + 1));
    }
    // Stopped mid-retry: leave the checkpoint where it is, the next owner delivers the batch again.
    if (!stopping) await partition.updateCheckpoint(events[events.length - 1] as EventData & ReceivedEventData);
  }

  const subscription: Subscription = client.subscribe(
    {
      processEvents: async (events, partition) => {
        if (events.length === 0 || stopping) return;
        if (many) return deliver(events, partition);
        for (const event of events) await deliver([event], partition);
      },
      processError: async (error, partition) => {
        if (stopping) return;
        options.logger({
          level: 'warning',
          category: 'system',
          functionName: fn.metadata.name,
          invocationId: '-',
          message: `Event Hubs listener (partition ${partition.partitionId || '-'}): ${error.message}`,
        });
        await Promise.resolve();
      },
    },
    {
      maxBatchSize: many ? options.maxBatchSize : 1,
      maxWaitTimeInSeconds: options.maxWaitTimeInSeconds ?? 1,
      startPosition: earliestEventPosition,
    },
  );

  return {
    name: fn.metadata.name,
    async stop() {
      stopping = true;
      await subscription.close();
      await client.close();
    },
  };
}

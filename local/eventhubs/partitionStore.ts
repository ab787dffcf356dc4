// The event log of one event hub: partitions of stored events with sequence
// numbers, offsets and enqueue times as Event Hubs assigns them, bounded
// retention (moving the begin sequence number), and optional persistence as
// one append-only JSON-lines file per partition.
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredEvent {
  readonly sequenceNumber: number;
  /** Opaque to clients; here the sequence number as text, so it parses back exactly. */
  readonly offset: string;
  readonly enqueuedTime: number;
  readonly partitionKey?: string;
  /** The event as the producer encoded it (AMQP message sections). */
  readonly message: Buffer;
}

export interface Retention {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

export class Partition extends EventEmitter {
  private events: StoredEvent[] = [];
  private bytes = 0;
  private nextSequence = 0;

  constructor(
    readonly id: string,
    private readonly retention: Retention,
    private readonly file?: string,
  ) {
    super();
    this.setMaxListeners(0);
    if (file && existsSync(file)) this.load(file);
  }

  private load(file: string): void {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { s: number; t: number; k?: string; m: string };
      this.keep({ sequenceNumber: e.s, offset: String(e.s), enqueuedTime: e.t, ...(e.k !== undefined ? { partitionKey: e.k } : {}), message: Buffer.from(e.m, 'base64') });
    }
  }

  private keep(event: StoredEvent): void {
    this.events.push(event);
    this.bytes += event.message.length;
    this.nextSequence = event.sequenceNumber + 1;
    while (this.events.length > 1 && (this.events.length > this.retention.maxEvents || this.bytes > this.retention.maxBytes)) {
      this.bytes -= this.events.shift()!.message.length;
    }
  }

  append(message: Buffer, partitionKey: string | undefined, now: number): StoredEvent {
    const event: StoredEvent = { sequenceNumber: this.nextSequence, offset: String(this.nextSequence), enqueuedTime: now, ...(partitionKey !== undefined ? { partitionKey } : {}), message };
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ s: event.sequenceNumber, t: now, k: partitionKey, m: message.toString('base64') })}\n`);
    this.keep(event);
    this.emit('appended');
    return event;
  }

  /** Events at or after this index into the retained log (an index, not a sequence number). */
  at(index: number): StoredEvent | undefined {
    return this.events[index];
  }

  /** Index of the first retained event matching `predicate`, or the end of the log. */
  firstIndex(predicate: (e: StoredEvent) => boolean): number {
    const i = this.events.findIndex(predicate);
    return i < 0 ? this.events.length : i;
  }

  /** The index a cursor must move to after retention dropped events it had not read. */
  indexOfSequence(sequenceNumber: number): number {
    return this.firstIndex((e) => e.sequenceNumber >= sequenceNumber);
  }

  get size(): number {
    return this.events.length;
  }

  info() {
    const first = this.events[0];
    const last = this.events.at(-1);
    return {
      beginSequenceNumber: first?.sequenceNumber ?? this.nextSequence,
      lastSequenceNumber: last?.sequenceNumber ?? this.nextSequence - 1,
      lastOffset: last?.offset ?? '-1',
      lastEnqueuedTime: last?.enqueuedTime ?? 0,
      isEmpty: !last,
    };
  }
}

export class EventHubLog {
  readonly partitions: Partition[];
  readonly consumerGroups: Set<string>;
  readonly createdAt = new Date();
  private roundRobin = 0;

  constructor(
    readonly name: string,
    partitionCount: number,
    consumerGroups: readonly string[],
    retention: Retention,
    dataDir?: string,
  ) {
    if (dataDir) mkdirSync(join(dataDir, name), { recursive: true });
    this.partitions = Array.from({ length: partitionCount }, (_, i) => new Partition(String(i), retention, dataDir ? join(dataDir, name, `${i}.jsonl`) : undefined));
    // Consumer group names are case-insensitive in Event Hubs (the SDK's default is "$default").
    this.consumerGroups = new Set(['$default', ...consumerGroups.map((g) => g.toLowerCase())]);
  }

  nextRoundRobin(): Partition {
    return this.partitions[this.roundRobin++ % this.partitions.length]!;
  }
}

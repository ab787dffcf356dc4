// The AMQP 1.0 side of the local Event Hubs endpoint, on rhea (the library the
// SDK itself uses): SASL ANONYMOUS, the $cbs put-token exchange, the
// $management READ operations, sending to a hub or a partition, and receiving
// from a consumer group's partition with filters, credit and owner levels.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Server } from 'node:net';
// rhea exports a Container instance (methods on its prototype): a namespace import would miss them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import rhea = require('rhea');
import { parseSelector, selectorFrom } from './filters';
import type { EventHubLog, Partition, StoredEvent } from './partitionStore';
import { covers, verifySas } from './sas';

export interface NamespaceOptions {
  readonly hubs: ReadonlyMap<string, EventHubLog>;
  /** Key name -> key, as in the namespace's shared access policies. */
  readonly keys: Readonly<Record<string, string>>;
  readonly maxMessageSize: number;
  readonly now?: () => number;
}

// Partition keys must land where Azure (and the SDK's own mapping) puts them:
// use the SDK's hash. It is not exported, so it is loaded by file path.
const eventHubsDir = dirname(createRequire(__filename).resolve('@azure/event-hubs'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { mapPartitionKeyToId } = require(join(eventHubsDir, 'impl', 'partitionKeyToIdMapper.js')) as { mapPartitionKeyToId: (this: void, key: string, count: number) => number };

type Link = rhea.Sender | rhea.Receiver;
interface LinkInternals {
  name: string;
  local: { attach: { max_message_size?: number; properties?: Record<string, unknown> } };
  remote: { attach?: { source?: { address?: string; filter?: unknown }; target?: { address?: string }; properties?: Record<string, unknown> } };
}
const internals = (link: Link) => link as unknown as LinkInternals;

interface ConnectionState {
  /** Resources the connection presented valid tokens for. */
  readonly grants: Set<string>;
}

interface Consumer {
  readonly sender: rhea.Sender;
  readonly epoch: number | undefined;
}

const stolen = (description: string) => ({ condition: 'amqp:link:stolen', description });

export function startAmqpServer(options: NamespaceOptions, port: number, host = '127.0.0.1'): Promise<Server> {
  const now = options.now ?? (() => Date.now());
  const container = rhea.create_container({ id: 'local-eventhubs' });
  const states = new WeakMap<rhea.Connection, ConnectionState>();
  const consumers = new Map<string, Consumer[]>(); // `${hub}/${group}/${partition}`

  const stateOf = (c: rhea.Connection) => {
    let s = states.get(c);
    if (!s) states.set(c, (s = { grants: new Set() }));
    return s;
  };
  const authorized = (c: rhea.Connection, address: string) => [...stateOf(c).grants].some((r) => covers(r, `${r.split('/')[0]}/${address}`));
  // The SDK's request/response links: replies go on the receiver link the client named in reply_to.
  const replyLinks = new WeakMap<rhea.Connection, Map<string, rhea.Sender>>();
  const replyLink = (c: rhea.Connection, name: string | undefined) => replyLinks.get(c)?.get(name ?? '');
  const reply = (c: rhea.Connection, request: rhea.Message, status: number, description: string, body?: unknown) => {
    replyLink(c, request.reply_to)?.send({
      correlation_id: request.message_id,
      application_properties: { 'status-code': status, 'status-description': description },
      body: body ?? null,
    });
  };

  function handleCbs(c: rhea.Connection, request: rhea.Message): void {
    const props = request.application_properties ?? {};
    if (props.operation !== 'put-token') return reply(c, request, 400, `unsupported $cbs operation '${String(props.operation)}'`);
    const check = verifySas(String(request.body), options.keys, now());
    if (!check.ok || !check.resource || !covers(check.resource, String(props.name ?? ''))) {
      return reply(c, request, 401, `InvalidSignature: ${check.reason ?? 'the token does not cover the audience'}`);
    }
    stateOf(c).grants.add(check.resource);
    reply(c, request, 202, 'Accepted');
  }

  function handleManagement(c: rhea.Connection, request: rhea.Message): void {
    const props = request.application_properties ?? {};
    const hub = options.hubs.get(String(props.name ?? ''));
    if (props.operation !== 'READ' || !hub) return reply(c, request, 404, `no event hub '${String(props.name)}'`);
    if (props.type === 'com.microsoft:eventhub') {
      return reply(c, request, 200, 'OK', { name: hub.name, created_at: hub.createdAt, partition_ids: hub.partitions.map((p) => p.id), type: 'com.microsoft:eventhub' });
    }
    const partition = hub.partitions[Number(props.partition)];
    if (props.type !== 'com.microsoft:partition' || !partition) return reply(c, request, 404, `no partition '${String(props.partition)}'`);
    const info = partition.info();
    reply(c, request, 200, 'OK', {
      name: hub.name,
      partition: partition.id,
      type: 'com.microsoft:partition',
      begin_sequence_number: rhea.types.wrap_long(info.beginSequenceNumber),
      last_enqueued_sequence_number: rhea.types.wrap_long(info.lastSequenceNumber),
      last_enqueued_offset: info.lastOffset,
      last_enqueued_time_utc: new Date(info.lastEnqueuedTime),
      is_partition_empty: info.isEmpty,
    });
  }

  /**
   * Unpacks the SDK's batch envelope (message format 0x80013700) into the events it
   * carries, with the envelope's partition key (the SDK puts it there for a keyed batch).
   */
  function eventsOf(context: rhea.EventContext): { events: Buffer[]; partitionKey: string | undefined } {
    const raw = context.message as unknown;
    if (!Buffer.isBuffer(raw)) return { events: [rhea.message.encode(context.message!)], partitionKey: undefined };
    const envelope = rhea.message.decode(raw) as unknown as { body: unknown; message_annotations?: Record<string, unknown> };
    const body = envelope.body as { content?: unknown; multiple?: boolean } | Buffer;
    const sections = Buffer.isBuffer(body) ? [body] : Array.isArray(body.content) ? (body.content as Buffer[]) : [body.content as Buffer];
    const key = envelope.message_annotations?.['x-opt-partition-key'];
    return { events: sections.map((s) => Buffer.from(s)), partitionKey: typeof key === 'string' ? key : undefined };
  }

  function handleSend(context: rhea.EventContext, hub: EventHubLog, partitionId: string | undefined): void {
    const delivery = context.delivery!;
    const at = now();
    const { events, partitionKey } = eventsOf(context);
    for (const encoded of events) {
      const decoded = rhea.message.decode(encoded) as { message_annotations?: Record<string, unknown> };
      const own = decoded.message_annotations?.['x-opt-partition-key'];
      const key = typeof own === 'string' ? own : partitionKey;
      const partition: Partition =
        partitionId !== undefined ? hub.partitions[Number(partitionId)]! : key !== undefined ? hub.partitions[mapPartitionKeyToId(key, hub.partitions.length)]! : hub.nextRoundRobin();
      partition.append(encoded, key, at);
    }
    delivery.accept();
  }

  function delivered(event: StoredEvent): rhea.Message {
    const message = rhea.message.decode(event.message) as unknown as rhea.Message;
    message.message_annotations = {
      ...message.message_annotations,
      'x-opt-sequence-number': rhea.types.wrap_long(event.sequenceNumber),
      'x-opt-offset': event.offset,
      'x-opt-enqueued-time': new Date(event.enqueuedTime),
      ...(event.partitionKey !== undefined ? { 'x-opt-partition-key': event.partitionKey } : {}),
    };
    return message;
  }

  function startConsumer(sender: rhea.Sender, hub: EventHubLog, group: string, partition: Partition): void {
    const link = internals(sender);
    const key = `${hub.name}/${group}/${partition.id}`;
    const epochValue = link.remote.attach?.properties?.['com.microsoft:epoch'];
    const epoch = epochValue === undefined || epochValue === null ? undefined : Number(epochValue);
    const current = consumers.get(key) ?? [];
    const owner = current.find((c) => c.epoch !== undefined);
    // Event Hubs: a receiver with an equal or higher owner level takes the partition; a lower one is refused.
    if (owner && (epoch === undefined || epoch < owner.epoch!)) {
      sender.close(stolen(`Receiver '${link.name}' with epoch ${epoch ?? 'none'} was refused: a receiver with a higher epoch '${owner.epoch}' owns partition ${partition.id} of consumer group '${group}'.`));
      return;
    }
    const kept: Consumer[] = [];
    for (const c of current) {
      // A higher owner level takes the partition from everyone with a lower one (and from non-epoch receivers).
      if (epoch !== undefined && (c.epoch === undefined || c.epoch <= epoch)) c.sender.close(stolen(`New receiver with higher epoch of '${epoch}' is created hence current receiver with epoch '${c.epoch ?? 0}' is getting disconnected.`));
      else kept.push(c);
    }
    const consumer: Consumer = { sender, epoch };
    consumers.set(key, [...kept, consumer]);

    const start = parseSelector(selectorFrom(link.remote.attach?.source?.filter));
    if ('error' in start) {
      sender.close({ condition: 'amqp:not-implemented', description: start.error });
      return;
    }
    let nextSequence = start.kind === 'latest' ? partition.info().lastSequenceNumber + 1 : Number.NaN;
    let cursor = start.kind === 'latest' ? partition.size : partition.firstIndex(start.matches);
    const pump = () => {
      if (!Number.isNaN(nextSequence)) cursor = partition.indexOfSequence(nextSequence);
      while (sender.sendable()) {
        const event = partition.at(cursor);
        if (!event) break;
        sender.send(delivered(event));
        cursor++;
        nextSequence = event.sequenceNumber + 1;
      }
    };
    const onAppended = () => pump();
    partition.on('appended', onAppended);
    sender.on('sendable', pump);
    const stop = () => {
      partition.off('appended', onAppended);
      consumers.set(key, (consumers.get(key) ?? []).filter((c) => c !== consumer));
    };
    sender.on('sender_close', stop);
    sender.on('sender_error', stop);
    sender.connection.on('disconnected', stop);
    pump();
  }

  container.on('receiver_open', (context: rhea.EventContext) => {
    const receiver = context.receiver!;
    const link = internals(receiver);
    const address = link.remote.attach?.target?.address ?? '';
    receiver.set_target({ address });
    link.local.attach.max_message_size = options.maxMessageSize;
    if (address === '$cbs' || address === '$management') return;
    const [hubName, kind, partitionId] = address.split('/');
    const hub = options.hubs.get(hubName ?? '');
    if (!hub || (kind !== undefined && (kind !== 'Partitions' || !hub.partitions[Number(partitionId)]))) {
      return receiver.close({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
    }
    if (!authorized(context.connection, address)) return receiver.close({ condition: 'amqp:unauthorized-access', description: `Unauthorized access to '${address}': put a token on $cbs first.` });
    receiver.on('message', (ctx: rhea.EventContext) => handleSend(ctx, hub, partitionId));
  });

  container.on('message', (context: rhea.EventContext) => {
    const address = internals(context.receiver!).remote.attach?.target?.address;
    if (address === '$cbs') handleCbs(context.connection, context.message!);
    else if (address === '$management') handleManagement(context.connection, context.message!);
  });

  container.on('sender_open', (context: rhea.EventContext) => {
    const sender = context.sender!;
    const link = internals(sender);
    const source = link.remote.attach?.source;
    const address = source?.address ?? '';
    sender.set_source({ address, ...(source?.filter ? { filter: source.filter } : {}) });
    link.local.attach.properties = link.remote.attach?.properties ?? {};
    if (address === '$cbs' || address === '$management') {
      const links = replyLinks.get(context.connection) ?? new Map<string, rhea.Sender>();
      links.set(link.name, sender);
      replyLinks.set(context.connection, links);
      return;
    }
    const match = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/(\d+)$/i.exec(address);
    const hub = options.hubs.get(match?.[1] ?? '');
    const group = match?.[2]?.toLowerCase();
    const partition = hub?.partitions[Number(match?.[3])];
    if (!hub || !group || !partition || !hub.consumerGroups.has(group)) {
      return sender.close({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
    }
    if (!authorized(context.connection, address)) return sender.close({ condition: 'amqp:unauthorized-access', description: `Unauthorized access to '${address}'.` });
    startConsumer(sender, hub, group, partition);
  });

  // Errors on one connection are that client's business; the endpoint keeps serving.
  container.on('error', () => undefined);
  container.on('disconnected', () => undefined);

  return new Promise<Server>((resolve, reject) => {
    const server = container.listen({ port, host });
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

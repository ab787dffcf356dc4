// Watch (`?watch=1`) as a bounded poll: the objects are read now and again
// every second until one changes or the window ends, and the events are the
// answer (newline-delimited WatchEvents, https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
// The first event of every watch is each object's current state, so a
// client re-watching (as client-go's reflector does when a watch ends) always
// catches up; status changes that do not change resourceVersion are seen too.
type Obj = Record<string, unknown>;

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Obj;
}

const nameOf = (o: Obj) => (o.metadata as { name?: string } | undefined)?.name ?? '';

export async function watchObjects(read: () => Promise<Obj[]>, options: { windowMs: number; pollMs?: number; sleep?: (ms: number) => Promise<void> }): Promise<WatchEvent[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.windowMs;
  const first = await read();
  const events: WatchEvent[] = first.map((object) => ({ type: 'MODIFIED', object }));
  let seen = new Map(first.map((o) => [nameOf(o), JSON.stringify(o)]));
  while (Date.now() + (options.pollMs ?? 1000) < deadline) {
    await sleep(options.pollMs ?? 1000);
    const now = await read();
    const changed: WatchEvent[] = [];
    const current = new Map(now.map((o) => [nameOf(o), JSON.stringify(o)]));
    for (const o of now) {
      const before = seen.get(nameOf(o));
      if (before === undefined) changed.push({ type: 'ADDED', object: o });
      else if (before !== current.get(nameOf(o))) changed.push({ type: 'MODIFIED', object: o });
    }
    for (const [name, text] of seen) if (!current.has(name)) changed.push({ type: 'DELETED', object: JSON.parse(text) as Obj });
    seen = current;
    if (changed.length) return [...events, ...changed];
  }
  return events;
}

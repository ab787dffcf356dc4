// Readiness of the app's dependencies for GET /api/health: each probe runs
// with its own timeout, all in parallel, and one failing never hides the others.

export interface DependencyProbe {
  readonly name: string;
  readonly kind: 'tables' | 'hub' | 'eventHubs' | 'settings';
  check(signal: AbortSignal): Promise<void>;
}

export interface DependencyCheck {
  readonly name: string;
  readonly kind: DependencyProbe['kind'];
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  /** A short, secret-free reason; present when failed. */
  readonly detail?: string;
}

export interface ReadinessReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly checkedAt: string;
  readonly checks: readonly DependencyCheck[];
}

export async function checkDependencies(probes: readonly DependencyProbe[], timeoutMs = 5000, now = () => new Date()): Promise<ReadinessReport> {
  const checks = await Promise.all(
    probes.map(async (probe): Promise<DependencyCheck> => {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        await Promise.race([
          probe.check(controller.signal),
          new Promise((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)))),
        ]);
        return { name: probe.name, kind: probe.kind, status: 'ok', durationMs: Math.round(performance.now() - started) };
      } catch (error) {
        return {
          name: probe.name,
          kind: probe.kind,
          status: 'failed',
          durationMs: Math.round(performance.now() - started),
          detail: describeFailure(error),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return {
    status: checks.every((c) => c.status === 'ok') ? 'healthy' : 'unhealthy',
    checkedAt: now().toISOString(),
    checks,
  };
}

/** Only an error's code or first line: SDK messages can carry URLs with SAS tokens. */
function describeFailure(error: unknown): string {
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.statusCode === 'number' ? `HTTP ${e.statusCode}` : undefined;
  const message = typeof e.message === 'string' ? e.message.split('\n')[0]!.replace(/(sig|SharedAccessSignature|code)=[^&\s;]+/gi, '$1=***') : 'unknown error';
  return code ? `${code}: ${message}`.slice(0, 300) : message.slice(0, 300);
}

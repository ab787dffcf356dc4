// Kubernetes resource quantities (apimachinery resource.Quantity, the common
// subset) as the integers Docker's HostConfig wants.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Memory in bytes (Docker `Memory`), rounded up like the kubelet does; undefined when not a quantity. */
export function memoryBytes(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) && quantity > 0 ? Math.ceil(quantity) : undefined;
  const m = /^(\d+(?:\.\d+)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)|[eE](\d+))?$/.exec(quantity.trim());
  if (!m?.[1]) return undefined;
  const factor = m[3] !== undefined ? 10 ** Number(m[3]) : m[2] === undefined ? 1 : (BINARY[m[2]] ?? DECIMAL[m[2]] ?? NaN);
  const bytes = Math.ceil(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** CPU in nano-CPUs (Docker `NanoCpus`): "500m" -> 5e8, "2" -> 2e9. */
export function nanoCpus(quantity: string | number): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m)?$/.exec(String(quantity).trim());
  if (!m?.[1]) return undefined;
  const nano = Math.round(Number(m[1]) * (m[2] ? 1e6 : 1e9));
  return Number.isSafeInteger(nano) && nano > 0 ? nano : undefined;
}

/** CPU request as Docker CpuShares, the kubelet's own mapping (1 CPU = 1024 shares, minimum 2). */
export function cpuShares(quantity: string | number): number | undefined {
  const nano = nanoCpus(quantity);
  return nano === undefined ? undefined : Math.max(2, Math.round((nano / 1e9) * 1024));
}

// The subset of a Kubernetes Pod / apps/v1 Deployment that has an IoT Edge
// meaning. Objects are strict: lenient.ts drops any other field first, with a
// warning naming it (unsupported.ts says why); what remains is read exactly.
import { z } from 'zod';
import { imageSchema, moduleNameSchema } from '../moduleFields';
import { memoryBytes, nanoCpus } from './quantity';

const quantity = z.union([z.string(), z.number()]);
const resourceList = z.record(z.string(), quantity).superRefine((list, ctx) => {
  for (const [name, value] of Object.entries(list)) {
    const parse = name === 'memory' ? memoryBytes : name === 'cpu' ? nanoCpus : undefined;
    if (!parse) ctx.addIssue({ code: 'custom', path: [name], message: `resource '${name}' has no Docker equivalent; only cpu and memory map` });
    else if (parse(value) === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `'${value}' is not a ${name} quantity` });
  }
});

const port = z.int().min(1).max(65535);
const seconds = z.int().min(0);

export const containerSchema = z.strictObject({
  name: moduleNameSchema,
  image: imageSchema,
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  env: z.array(z.strictObject({ name: z.string().min(1), value: z.string().optional() })).optional(),
  ports: z
    .array(
      z.strictObject({
        containerPort: port,
        hostPort: port.optional(),
        hostIP: z.string().optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
        name: z.string().optional(),
      }),
    )
    .optional(),
  resources: z.strictObject({ limits: resourceList.optional(), requests: resourceList.optional() }).optional(),
  volumeMounts: z.array(z.strictObject({ name: z.string(), mountPath: z.string().startsWith('/'), readOnly: z.boolean().optional() })).optional(),
  securityContext: z
    .strictObject({
      privileged: z.boolean().optional(),
      runAsUser: z.int().min(0).optional(),
      runAsGroup: z.int().min(0).optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  livenessProbe: z
    .strictObject({
      exec: z.strictObject({ command: z.array(z.string()).min(1) }),
      initialDelaySeconds: seconds.optional(),
      periodSeconds: z.int().min(1).optional(),
      timeoutSeconds: z.int().min(1).optional(),
      failureThreshold: z.int().min(1).optional(),
      successThreshold: z.literal(1).optional(),
    })
    .optional(),
  stdin: z.boolean().optional(),
  tty: z.boolean().optional(),
});
export type Container = z.infer<typeof containerSchema>;

export const podSpecSchema = z
  .strictObject({
    containers: z.array(containerSchema).min(1),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    imagePullSecrets: z.array(z.strictObject({ name: z.string().min(1) })).optional(),
    volumes: z
      .array(z.strictObject({ name: z.string().min(1), hostPath: z.strictObject({ path: z.string().startsWith('/'), type: z.string().optional() }) }))
      .optional(),
    hostNetwork: z.boolean().optional(),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
    terminationGracePeriodSeconds: seconds.optional(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.containers.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['containers', i, 'name'], message: `container name '${c.name}' is used twice` });
      seen.add(c.name);
      const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
      c.volumeMounts?.forEach((m, j) => {
        if (!volumes.has(m.name)) ctx.addIssue({ code: 'custom', path: ['containers', i, 'volumeMounts', j, 'name'], message: `names no volume in spec.volumes` });
      });
    });
  });
export type PodSpec = z.infer<typeof podSpecSchema>;

/** Metadata is bookkeeping; only name, labels and annotations are read. */
const metadataSchema = z.looseObject({
  name: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const podSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Pod'),
  metadata: metadataSchema.optional(),
  spec: podSpecSchema,
  status: z.unknown().optional(),
});

export const deploymentSchema = z.strictObject({
  // The beta group versions are what older samples (the virtual-kubelet provider's among them) say.
  apiVersion: z.enum(['apps/v1', 'apps/v1beta2', 'apps/v1beta1', 'extensions/v1beta1']),
  kind: z.literal('Deployment'),
  metadata: metadataSchema.optional(),
  spec: z.strictObject({
    replicas: z.int().min(0).max(1, 'each targeted device runs one instance of every module: scale by targeting more devices, replicas must be 0 or 1').optional(),
    selector: z.unknown().optional(),
    revisionHistoryLimit: z.int().min(0).optional(),
    strategy: z.strictObject({ type: z.literal('Recreate', 'edgeAgent replaces a module in place: only Recreate maps; fleet rollouts are staged by waves') }).optional(),
    template: z.strictObject({ metadata: metadataSchema.optional(), spec: podSpecSchema }),
  }),
  status: z.unknown().optional(),
});

export type KubernetesPod = z.infer<typeof podSchema>;
export type KubernetesDeployment = z.infer<typeof deploymentSchema>;

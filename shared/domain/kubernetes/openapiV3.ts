// The OpenAPI v3 documents kubectl reads (`/openapi/v3` and one per group
// version, https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3).
// kubectl 1.32 validates with the server (fieldValidation=Strict) when the
// group version's PATCH operation declares that parameter, as here, so
// `kubectl apply` needs no --validate=false; our translation then refuses
// unknown or unsupported fields with a 422 naming them.
// The schemas are a trimmed transcription of the Kubernetes API reference
// for v1.32 (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/,
// .../pod-v1/, .../common-definitions/object-meta/): the fields our
// translation reads, with the patch strategies and merge keys of
// k8s.io/api/{apps,core}/v1/types.go, which `kubectl apply` uses to build
// strategic merge patches.
import { createHash } from 'node:crypto';

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const str = (description: string): Schema => ({ type: 'string', description });
const int = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const strMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, description });
const list = (item: Schema, description: string, mergeKey?: string): Schema => ({
  type: 'array',
  items: { default: {}, ...item },
  description,
  ...(mergeKey ? { 'x-kubernetes-list-map-keys': [mergeKey], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': mergeKey, 'x-kubernetes-patch-strategy': 'merge' } : { 'x-kubernetes-list-type': 'atomic' }),
});
const strings = (description: string): Schema => ({ type: 'array', items: { type: 'string', default: '' }, description, 'x-kubernetes-list-type': 'atomic' });
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';

const gvk = (group: string, version: string, kind: string) => [{ group, version, kind }];

export const schemas: Record<string, Schema> = {
  [quantity]: { type: 'string', description: 'Quantity is a fixed-point representation of a number (e.g. 500m, 128Mi).', 'x-kubernetes-int-or-string': false },
  [`${META}.ObjectMeta`]: {
    type: 'object',
    description: 'ObjectMeta is metadata that all persisted resources must have.',
    properties: {
      name: str('Name must be unique within a namespace.'),
      namespace: str('Namespace defines the space within which each name must be unique.'),
      labels: strMap('Map of string keys and values that can be used to organize and categorize objects.'),
      annotations: strMap('Annotations is an unstructured key value map stored with a resource.'),
      resourceVersion: str('An opaque value that represents the internal version of this object.'),
      uid: str('UID is the unique in time and space value for this object.'),
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
      creationTimestamp: { type: 'string', format: 'date-time', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
      deletionTimestamp: { type: 'string', format: 'date-time', description: 'The time this resource will be deleted.' },
    },
  },
  [`${META}.LabelSelector`]: {
    type: 'object',
    description: 'A label selector is a label query over a set of resources.',
    properties: { matchLabels: strMap('matchLabels is a map of {key,value} pairs.'), matchExpressions: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' } },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.EnvVar`]: { type: 'object', required: ['name'], description: 'EnvVar represents an environment variable present in a Container.', properties: { name: str('Name of the environment variable.'), value: str('Variable references $(VAR_NAME) are not expanded.') } },
  [`${CORE}.ContainerPort`]: {
    type: 'object',
    required: ['containerPort'],
    description: 'ContainerPort represents a network port in a single container.',
    properties: { containerPort: int('Number of port to expose on the pod\'s IP address.'), hostPort: int('Number of port to expose on the host.'), hostIP: str('What host IP to bind the external port to.'), name: str('Port name.'), protocol: { type: 'string', enum: ['SCTP', 'TCP', 'UDP'], description: 'Protocol for port. Defaults to "TCP".' } },
  },
  [`${CORE}.VolumeMount`]: { type: 'object', required: ['name', 'mountPath'], description: 'VolumeMount describes a mounting of a Volume within a container.', properties: { name: str('This must match the Name of a Volume.'), mountPath: str('Path within the container at which the volume should be mounted.'), readOnly: bool('Mounted read-only if true.') } },
  [`${CORE}.HostPathVolumeSource`]: { type: 'object', required: ['path'], description: 'Represents a host path mapped into a pod.', properties: { path: str('path of the directory on the host.'), type: str('type for HostPath Volume.') } },
  [`${CORE}.Volume`]: { type: 'object', required: ['name'], description: 'Volume represents a named volume in a pod.', properties: { name: str('name of the volume.'), hostPath: ref(`${CORE}.HostPathVolumeSource`) } },
  [`${CORE}.ResourceRequirements`]: {
    type: 'object',
    description: 'ResourceRequirements describes the compute resource requirements.',
    properties: { limits: { type: 'object', additionalProperties: ref(quantity), description: 'Limits describes the maximum amount of compute resources allowed.' }, requests: { type: 'object', additionalProperties: ref(quantity), description: 'Requests describes the minimum amount of compute resources required.' } },
  },
  [`${CORE}.Capabilities`]: { type: 'object', description: 'Adds and removes POSIX capabilities from running containers.', properties: { add: strings('Added capabilities'), drop: strings('Removed capabilities') } },
  [`${CORE}.SecurityContext`]: {
    type: 'object',
    description: 'SecurityContext holds security configuration that will be applied to a container.',
    properties: { privileged: bool('Run container in privileged mode.'), runAsUser: { type: 'integer', format: 'int64', description: 'The UID to run the entrypoint of the container process.' }, runAsGroup: { type: 'integer', format: 'int64', description: 'The GID to run the entrypoint of the container process.' }, readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem.'), capabilities: ref(`${CORE}.Capabilities`) },
  },
  [`${CORE}.ExecAction`]: { type: 'object', description: 'ExecAction describes a "run in container" action.', properties: { command: strings('Command is the command line to execute inside the container.') } },
  [`${CORE}.Probe`]: {
    type: 'object',
    description: 'Probe describes a health check to be performed against a container.',
    properties: { exec: ref(`${CORE}.ExecAction`), initialDelaySeconds: int('Seconds after the container has started before probes are initiated.'), periodSeconds: int('How often (in seconds) to perform the probe.'), timeoutSeconds: int('Number of seconds after which the probe times out.'), failureThreshold: int('Minimum consecutive failures for the probe to be considered failed.'), successThreshold: int('Minimum consecutive successes for the probe to be considered successful.') },
  },
  [`${CORE}.LocalObjectReference`]: { type: 'object', description: 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', properties: { name: str('Name of the referent.') }, 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.Container`]: {
    type: 'object',
    required: ['name'],
    description: 'A single application container that you want to run within a pod.',
    properties: {
      name: str('Name of the container specified as a DNS_LABEL.'),
      image: str('Container image name.'),
      imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], description: 'Image pull policy.' },
      command: strings('Entrypoint array.'),
      args: strings('Arguments to the entrypoint.'),
      workingDir: str("Container's working directory."),
      env: list(ref(`${CORE}.EnvVar`), 'List of environment variables to set in the container.', 'name'),
      ports: list(ref(`${CORE}.ContainerPort`), 'List of ports to expose from the container.', 'containerPort'),
      volumeMounts: list(ref(`${CORE}.VolumeMount`), "Pod volumes to mount into the container's filesystem.", 'mountPath'),
      resources: ref(`${CORE}.ResourceRequirements`),
      securityContext: ref(`${CORE}.SecurityContext`),
      livenessProbe: ref(`${CORE}.Probe`),
      stdin: bool('Whether this container should allocate a buffer for stdin.'),
      tty: bool('Whether this container should allocate a TTY for itself.'),
    },
  },
  [`${CORE}.PodSpec`]: {
    type: 'object',
    required: ['containers'],
    description: 'PodSpec is a description of a pod.',
    properties: {
      containers: list(ref(`${CORE}.Container`), 'List of containers belonging to the pod.', 'name'),
      volumes: { ...list(ref(`${CORE}.Volume`), 'List of volumes that can be mounted by containers belonging to the pod.', 'name'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
      nodeSelector: { ...strMap("NodeSelector is a selector which must be true for the pod to fit on a node."), 'x-kubernetes-map-type': 'atomic' },
      restartPolicy: { type: 'string', enum: ['Always', 'Never', 'OnFailure'], description: 'Restart policy for all containers within the pod.' },
      imagePullSecrets: list(ref(`${CORE}.LocalObjectReference`), 'References to secrets in the same namespace to use for pulling any of the images.', 'name'),
      hostNetwork: bool('Host networking requested for this pod.'),
      hostPID: bool("Use the host's pid namespace."),
      hostIPC: bool("Use the host's ipc namespace."),
      terminationGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Optional duration in seconds the pod needs to terminate gracefully.' },
    },
  },
  [`${CORE}.PodTemplateSpec`]: { type: 'object', description: 'PodTemplateSpec describes the data a pod should have when created from a template.', properties: { metadata: { ...ref(`${META}.ObjectMeta`), default: {} }, spec: { ...ref(`${CORE}.PodSpec`), default: {} } } },
  [`${APPS}.DeploymentStrategy`]: { type: 'object', description: 'DeploymentStrategy describes how to replace existing pods with new ones.', properties: { type: { type: 'string', enum: ['Recreate', 'RollingUpdate'], description: 'Type of deployment.' } } },
  [`${APPS}.DeploymentCondition`]: {
    type: 'object',
    required: ['type', 'status'],
    description: 'DeploymentCondition describes the state of a deployment at a certain point.',
    properties: { type: str('Type of deployment condition.'), status: str('Status of the condition, one of True, False, Unknown.'), reason: str("The reason for the condition's last transition."), message: str('A human readable message indicating details about the transition.'), lastTransitionTime: { type: 'string', format: 'date-time' }, lastUpdateTime: { type: 'string', format: 'date-time' } },
  },
  [`${APPS}.DeploymentSpec`]: {
    type: 'object',
    required: ['selector', 'template'],
    description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.',
    properties: {
      replicas: int('Number of desired pods (here: 1 runs the modules on every targeted device, 0 stops them).'),
      selector: ref(`${META}.LabelSelector`),
      template: { ...ref(`${CORE}.PodTemplateSpec`), default: {} },
      strategy: { ...ref(`${APPS}.DeploymentStrategy`), 'x-kubernetes-patch-strategy': 'retainKeys' },
      paused: bool('Indicates that the deployment is paused (here: its progressive rollout).'),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback.'),
    },
  },
  [`${APPS}.DeploymentStatus`]: {
    type: 'object',
    description: 'DeploymentStatus is the most recently observed status of the Deployment.',
    properties: {
      observedGeneration: { type: 'integer', format: 'int64' },
      replicas: int('Targeted devices.'),
      updatedReplicas: int('Targeted devices on the current revision.'),
      readyReplicas: int('Devices running the current revision.'),
      availableReplicas: int('Devices running the current revision.'),
      unavailableReplicas: int('Targeted devices not running the current revision.'),
      conditions: list(ref(`${APPS}.DeploymentCondition`), "Represents the latest available observations of a deployment's current state.", 'type'),
    },
  },
  [`${APPS}.Deployment`]: {
    type: 'object',
    description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
    properties: { apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'), kind: str('Kind is a string value representing the REST resource this object represents.'), metadata: { ...ref(`${META}.ObjectMeta`), default: {} }, spec: { ...ref(`${APPS}.DeploymentSpec`), default: {} }, status: { ...ref(`${APPS}.DeploymentStatus`), default: {} } },
    'x-kubernetes-group-version-kind': gvk('apps', 'v1', 'Deployment'),
  },
};

const param = (name: string, description: string): Schema => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const writeParams = [param('dryRun', 'When present, modifications are not persisted (All).'), param('fieldManager', 'A name for the actor making these changes.'), param('fieldValidation', 'Strict: unknown and unsupported fields are refused (422).')];

function resourcePaths(prefix: string, kind: string, schema: string, group: string) {
  const ext = { 'x-kubernetes-group-version-kind': { group, version: 'v1', kind } };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } } };
  return {
    [`${prefix}/namespaces/{namespace}/${kind.toLowerCase()}s`]: {
      get: { operationId: `list${kind}`, responses: ok, 'x-kubernetes-action': 'list', ...ext },
      post: { operationId: `create${kind}`, parameters: writeParams, responses: ok, 'x-kubernetes-action': 'post', ...ext },
    },
    [`${prefix}/namespaces/{namespace}/${kind.toLowerCase()}s/{name}`]: {
      get: { operationId: `read${kind}`, responses: ok, 'x-kubernetes-action': 'get', ...ext },
      put: { operationId: `replace${kind}`, parameters: writeParams, responses: ok, 'x-kubernetes-action': 'put', ...ext },
      patch: { operationId: `patch${kind}`, parameters: [...writeParams, param('force', 'Force is going to "force" Apply requests.')], responses: ok, 'x-kubernetes-action': 'patch', ...ext },
      delete: { operationId: `delete${kind}`, parameters: [param('dryRun', 'When present, modifications are not persisted (All).')], responses: ok, 'x-kubernetes-action': 'delete', ...ext },
    },
  };
}

export function groupVersionDocument(groupVersion: string): Schema | undefined {
  if (groupVersion === 'apis/apps/v1') {
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: resourcePaths('/apis/apps/v1', 'Deployment', `${APPS}.Deployment`, 'apps'), components: { schemas } };
  }
  return undefined;
}

const DOCUMENT_HASH = createHash('sha256').update(JSON.stringify(groupVersionDocument('apis/apps/v1'))).digest('hex').slice(0, 32).toUpperCase();

/** The root discovery document; serverRelativeURL includes the server's own path (client-go reads it as given). */
export function openApiV3Root(basePath: string): Schema {
  return { paths: { 'apis/apps/v1': { serverRelativeURL: `${basePath}/openapi/v3/apis/apps/v1?hash=${DOCUMENT_HASH}` } } };
}

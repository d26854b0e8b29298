/**
 * Schemas of the built-in kinds the simulated hub serves, in the OpenAPI v3 form kube-apiserver
 * publishes (list types, patch strategies and merge keys from the Go types' tags), plus ObjectMeta.
 * They drive pruning, validation, strategic merge patch, server-side apply and `kubectl explain`.
 * Fields are the commonly used ones; Pod and container specs keep unlisted fields
 * (x-kubernetes-preserve-unknown-fields) rather than prune fields a real server knows.
 */
import type { SchemaObject } from './schema.types.js';

const str = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra });
const int = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'integer', format: 'int32', description, ...extra });
const bool = (description: string): SchemaObject => ({ type: 'boolean', description });
const time = (description: string): SchemaObject => ({ type: 'string', format: 'date-time', description });
const stringMap = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'object', description, additionalProperties: { type: 'string', ...extra } });
const obj = (description: string, properties: Record<string, SchemaObject>, extra: SchemaObject = {}): SchemaObject => ({ type: 'object', description, properties, ...extra });
const atomicList = (description: string, items: SchemaObject): SchemaObject => ({ type: 'array', description, items, 'x-kubernetes-list-type': 'atomic' });
const setList = (description: string, items: SchemaObject = { type: 'string' }): SchemaObject => ({
  type: 'array',
  description,
  items,
  'x-kubernetes-list-type': 'set',
  'x-kubernetes-patch-strategy': 'merge',
});
const mapList = (description: string, keys: string[], items: SchemaObject, patchKey: string | undefined = keys[0]): SchemaObject => ({
  type: 'array',
  description,
  items,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': keys,
  ...(patchKey ? { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': patchKey } : {}),
});

const QUANTITY: SchemaObject = {
  description: 'A fixed-point number with an optional SI or binary suffix (e.g. 500m, 2Gi, 4).',
  'x-kubernetes-int-or-string': true,
  pattern: '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$',
};

export const OWNER_REFERENCE: SchemaObject = obj(
  'OwnerReference contains enough information to let you identify an owning object.',
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
  },
  { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
);

export const OBJECT_META: SchemaObject = obj(
  'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  {
    name: str('Name must be unique within a namespace. Cannot be updated.'),
    generateName: str('Optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    uid: str('UID is the unique in time and space value for this object. Populated by the system. Read-only.'),
    resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency and watches. Read-only.'),
    generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.' },
    creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created. Read-only.'),
    deletionTimestamp: time('RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested. Read-only.'),
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate. Read-only.' },
    labels: stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    annotations: stringMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
    ownerReferences: mapList('List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.', ['uid'], OWNER_REFERENCE),
    finalizers: setList('Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.'),
    managedFields: atomicList(
      'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
      obj('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.', {
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.', { enum: ['Apply', 'Update'] }),
        apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
        time: time('Time is the timestamp of when the ManagedFields entry was added.'),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"'),
        fieldsV1: { type: 'object', description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.', 'x-kubernetes-preserve-unknown-fields': true },
        subresource: str('Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
      }),
    ),
  },
);

const CONDITIONS = mapList(
  'Current service state.',
  ['type'],
  obj('Condition contains details for one aspect of the current state of this API Resource.', {
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
    status: str('status of the condition, one of True, False, Unknown.'),
    observedGeneration: { type: 'integer', format: 'int64', description: 'The .metadata.generation that the condition was set based upon.' },
    lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
    reason: str("reason contains a programmatic identifier indicating the reason for the condition's last transition."),
    message: str('message is a human readable message indicating details about the transition.'),
  }, { required: ['type', 'status'] }),
);

const SERVICE_PORT = obj('ServicePort contains information on service\'s port.', {
  name: str('The name of this port within the service. This must be a DNS_LABEL.'),
  protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', { enum: ['SCTP', 'TCP', 'UDP'], default: 'TCP' }),
  appProtocol: str('The application protocol for this port.'),
  port: int('The port that will be exposed by this service.', { minimum: 1, maximum: 65535 }),
  targetPort: { 'x-kubernetes-int-or-string': true, description: 'Number or name of the port to access on the pods targeted by the service.' },
  nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
}, { required: ['port'] });

const CONTAINER_PORT = obj('ContainerPort represents a network port in a single container.', {
  name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
  hostPort: int('Number of port to expose on the host.'),
  containerPort: int('Number of port to expose on the pod\'s IP address.', { minimum: 1, maximum: 65535 }),
  protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".', { enum: ['SCTP', 'TCP', 'UDP'], default: 'TCP' }),
  hostIP: str('What host IP to bind the external port to.'),
}, { required: ['containerPort'] });

const RESOURCES = obj('ResourceRequirements describes the compute resource requirements.', {
  limits: { type: 'object', description: 'Limits describes the maximum amount of compute resources allowed.', additionalProperties: QUANTITY },
  requests: { type: 'object', description: 'Requests describes the minimum amount of compute resources required.', additionalProperties: QUANTITY },
});

const CONTAINER = obj(
  'A single application container that you want to run within a pod.',
  {
    name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name. Cannot be updated.'),
    image: str('Container image name.'),
    command: atomicList('Entrypoint array. Not executed within a shell.', { type: 'string' }),
    args: atomicList('Arguments to the entrypoint.', { type: 'string' }),
    workingDir: str("Container's working directory."),
    ports: mapList('List of ports to expose from the container.', ['containerPort', 'protocol'], CONTAINER_PORT, 'containerPort'),
    env: mapList('List of environment variables to set in the container.', ['name'], obj('EnvVar represents an environment variable present in a Container.', {
      name: str('Name of the environment variable.'),
      value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
      valueFrom: { type: 'object', description: "Source for the environment variable's value.", 'x-kubernetes-preserve-unknown-fields': true },
    }, { required: ['name'] })),
    resources: RESOURCES,
    volumeMounts: mapList('Pod volumes to mount into the container\'s filesystem.', ['mountPath'], obj('VolumeMount describes a mounting of a Volume within a container.', {
      name: str('This must match the Name of a Volume.'),
      mountPath: str('Path within the container at which the volume should be mounted.'),
      readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
      subPath: str("Path within the volume from which the container's volume should be mounted."),
    }, { required: ['name', 'mountPath'] })),
    imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
  },
  { required: ['name'], 'x-kubernetes-preserve-unknown-fields': true },
);

const POD_SPEC = obj(
  'PodSpec is a description of a pod.',
  {
    containers: mapList('List of containers belonging to the pod.', ['name'], CONTAINER),
    initContainers: mapList('List of initialization containers belonging to the pod.', ['name'], CONTAINER),
    volumes: mapList('List of volumes that can be mounted by containers belonging to the pod.', ['name'], {
      type: 'object',
      description: 'Volume represents a named volume in a pod that may be accessed by any container in the pod.',
      properties: { name: str("name of the volume. Must be a DNS_LABEL and unique within the pod.") },
      required: ['name'],
      'x-kubernetes-preserve-unknown-fields': true,
    }),
    restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never.', { enum: ['Always', 'Never', 'OnFailure'] }),
    nodeSelector: stringMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
    nodeName: str('NodeName indicates in which node this pod is scheduled.'),
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    tolerations: atomicList("If specified, the pod's tolerations.", { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
    imagePullSecrets: mapList('ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.', ['name'], obj('LocalObjectReference', { name: str('Name of the referent.') })),
  },
  { required: ['containers'], 'x-kubernetes-preserve-unknown-fields': true },
);

type Builtin = { description: string; properties: Record<string, SchemaObject>; required?: string[] };

const BUILTINS: Record<string, Builtin> = {
  Namespace: {
    description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    properties: {
      spec: obj('Spec defines the behavior of the Namespace.', { finalizers: atomicList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.', { type: 'string' }) }),
      status: obj('Status describes the current status of a Namespace.', {
        phase: str('Phase is the current lifecycle phase of the namespace.', { enum: ['Active', 'Terminating'] }),
        conditions: CONDITIONS,
      }),
    },
  },
  Secret: {
    description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
    properties: {
      data: { type: 'object', description: 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string.', additionalProperties: { type: 'string', format: 'byte' } },
      stringData: stringMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.'),
      type: str('Used to facilitate programmatic handling of secret data.', { default: 'Opaque' }),
      immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
    },
  },
  ConfigMap: {
    description: 'ConfigMap holds configuration data for pods to consume.',
    properties: {
      data: stringMap('Data contains the configuration data.'),
      binaryData: { type: 'object', description: 'BinaryData contains the binary data.', additionalProperties: { type: 'string', format: 'byte' } },
      immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
    },
  },
  Service: {
    description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    properties: {
      spec: obj('Spec defines the behavior of a service.', {
        type: str('type determines how the Service is exposed. Defaults to ClusterIP.', { enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], default: 'ClusterIP' }),
        selector: { ...stringMap('Route service traffic to pods with label keys and values matching this selector.'), 'x-kubernetes-map-type': 'atomic' },
        ports: mapList('The list of ports that are exposed by this service.', ['port', 'protocol'], SERVICE_PORT, 'port'),
        clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
        clusterIPs: atomicList('ClusterIPs is a list of IP addresses assigned to this service.', { type: 'string' }),
        externalIPs: atomicList('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', { type: 'string' }),
        externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record).'),
        externalTrafficPolicy: str('externalTrafficPolicy describes how nodes distribute service traffic they receive on externally-facing addresses.', { enum: ['Cluster', 'Local'] }),
        internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.', { enum: ['Cluster', 'Local'] }),
        sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity.', { enum: ['ClientIP', 'None'], default: 'None' }),
        loadBalancerIP: str('Only applies to Service Type: LoadBalancer. Deprecated.'),
        loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
        loadBalancerSourceRanges: atomicList('If specified and supported by the platform, traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.', { type: 'string' }),
        allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.'),
        publishNotReadyAddresses: bool('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
        ipFamilies: atomicList('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.', { type: 'string', enum: ['IPv4', 'IPv6'] }),
        ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.', { enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'] }),
        healthCheckNodePort: int('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
        trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
      }),
      status: obj('Most recently observed status of the service.', {
        loadBalancer: obj('LoadBalancer contains the current status of the load-balancer, if one is present.', {
          ingress: atomicList('Ingress is a list containing ingress points for the load-balancer.', obj('LoadBalancerIngress represents the status of a load-balancer ingress point.', {
            ip: str('IP is set for load-balancer ingress points that are IP based.'),
            hostname: str('Hostname is set for load-balancer ingress points that are DNS based.'),
            ipMode: str('IPMode specifies how the load-balancer IP behaves.'),
            ports: atomicList('Ports is a list of records of service ports.', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
          })),
        }),
        conditions: CONDITIONS,
      }),
    },
  },
  ResourceQuota: {
    description: 'ResourceQuota sets aggregate quota restrictions enforced per namespace.',
    properties: {
      spec: obj('Spec defines the desired quota.', {
        hard: { type: 'object', description: 'hard is the set of desired hard limits for each named resource.', additionalProperties: QUANTITY },
        scopes: atomicList('A collection of filters that must match each object tracked by a quota.', { type: 'string' }),
        scopeSelector: { type: 'object', description: 'scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota.', 'x-kubernetes-preserve-unknown-fields': true },
      }),
      status: obj('Status defines the actual enforced quota and its current usage.', {
        hard: { type: 'object', description: 'Hard is the set of enforced hard limits for each named resource.', additionalProperties: QUANTITY },
        used: { type: 'object', description: 'Used is the current observed total usage of the resource in the namespace.', additionalProperties: QUANTITY },
      }),
    },
  },
  Pod: {
    description: 'Pod is a collection of containers that can run on a host.',
    properties: {
      spec: POD_SPEC,
      status: { type: 'object', description: 'Most recently observed status of the pod.', properties: { phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.'), conditions: CONDITIONS }, 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  Event: {
    description: 'Event is a report of an event somewhere in the cluster.',
    required: ['metadata', 'involvedObject'],
    properties: {
      involvedObject: obj('The object that this event is about.', {
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        namespace: str('Namespace of the referent.'),
        uid: str('UID of the referent.'),
        resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
        fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
      }, { 'x-kubernetes-map-type': 'atomic' }),
      reason: str('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      message: str('A human-readable description of the status of this operation.'),
      source: obj('The component reporting this event.', { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') }),
      firstTimestamp: time('The time at which the event was first recorded.'),
      lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
      count: int('The number of times this event has occurred.'),
      type: str('Type of this event (Normal, Warning), new types could be added in the future'),
      eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
      action: str('What action was taken/failed regarding to the Regarding object.'),
      reportingComponent: str('Name of the controller that emitted this Event.'),
      reportingInstance: str('ID of the controller instance.'),
      related: { type: 'object', description: 'Optional secondary object for more complex actions.', 'x-kubernetes-preserve-unknown-fields': true },
      series: { type: 'object', description: 'Data about the Event series this event represents.', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  CertificateSigningRequest: {
    description: 'CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.',
    required: ['spec'],
    properties: {
      spec: obj('spec contains the certificate request, and is immutable after creation.', {
        request: str('request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.', { format: 'byte' }),
        signerName: str('signerName indicates the requested signer, and is a qualified name.'),
        expirationSeconds: int('expirationSeconds is the requested duration of validity of the issued certificate.'),
        usages: atomicList('usages specifies a set of key usages requested in the issued certificate.', { type: 'string' }),
        username: str('username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
        uid: str('uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
        groups: atomicList('groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.', { type: 'string' }),
        extra: { type: 'object', description: 'extra contains extra attributes of the user that created the CertificateSigningRequest.', additionalProperties: { type: 'array', items: { type: 'string' } } },
      }, { required: ['request', 'signerName'] }),
      status: obj('status contains information about whether the request is approved or denied, and the certificate issued by the signer, or the failure condition indicating signer failure.', {
        conditions: {
          type: 'array',
          description: 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: obj('CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object', {
            type: str('type of the condition. Known conditions are "Approved", "Denied", and "Failed".'),
            status: str('status of the condition, one of True, False, Unknown.'),
            reason: str('reason indicates a brief reason for the request state'),
            message: str('message contains a human readable message with details about the request state'),
            lastUpdateTime: time('lastUpdateTime is the time of the last update to this condition'),
            lastTransitionTime: time('lastTransitionTime is the time the condition last transitioned from one status to another.'),
          }, { required: ['type', 'status'] }),
        },
        certificate: str('certificate is populated with an issued certificate by the signer after an Approved condition is present.', { format: 'byte' }),
      }),
    },
  },
  Ingress: {
    description: 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
    properties: {
      spec: obj('spec is the desired state of the Ingress.', {
        ingressClassName: str('ingressClassName is the name of an IngressClass cluster resource.'),
        defaultBackend: { type: 'object', description: 'defaultBackend is the backend that should handle requests that don\'t match any rule.', 'x-kubernetes-preserve-unknown-fields': true },
        tls: atomicList('tls represents the TLS configuration.', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
        rules: atomicList('rules is a list of host rules used to configure the Ingress.', obj('IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
          host: str('host is the fully qualified domain name of a network host, as defined by RFC 3986.'),
          http: obj('HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
            paths: atomicList('paths is a collection of paths that map requests to backends.', obj('HTTPIngressPath associates a path with a backend.', {
              path: str('path is matched against the path of an incoming request.'),
              pathType: str('pathType determines the interpretation of the path matching.', { enum: ['Exact', 'ImplementationSpecific', 'Prefix'] }),
              backend: obj('backend defines the referenced service endpoint to which the traffic will be forwarded to.', {
                service: obj('service references a service as a backend.', {
                  name: str('name is the referenced service. The service must exist in the same namespace as the Ingress object.'),
                  port: obj('port of the referenced service.', { name: str('name is the name of the port on the Service.'), number: int('number is the numerical port number (e.g. 80) on the Service.', { minimum: 1, maximum: 65535 }) }),
                }, { required: ['name'] }),
                resource: { type: 'object', description: 'resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object.', 'x-kubernetes-preserve-unknown-fields': true },
              }),
            }, { required: ['pathType', 'backend'] })),
          }, { required: ['paths'] }),
        })),
      }),
      status: obj('status is the current state of the Ingress.', {
        loadBalancer: obj('loadBalancer contains the current status of the load-balancer.', {
          ingress: atomicList('ingress is a list containing ingress points for the load-balancer.', obj('IngressLoadBalancerIngress represents the status of a load-balancer ingress point.', {
            ip: str('ip is set for load-balancer ingress points that are IP based.'),
            hostname: str('hostname is set for load-balancer ingress points that are DNS based.'),
            ports: atomicList('ports provides information about the ports exposed by this LoadBalancer.', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
          })),
        }),
      }),
    },
  },
  Lease: {
    description: 'Lease defines a lease concept.',
    properties: {
      spec: obj('spec contains the specification of the Lease.', {
        holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
        leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
        acquireTime: time('acquireTime is a time when the current lease was acquired.'),
        renewTime: time('renewTime is a time when the current holder of a lease has last updated the lease.'),
        leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
        strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
        preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.'),
      }),
    },
  },
};

const rootCache = new Map<string, SchemaObject>();

/** The full schema of a built-in kind (apiVersion, kind and metadata included), or undefined. */
export function builtinSchema(group: string, version: string, kind: string): SchemaObject | undefined {
  const key = `${group}/${version}/${kind}`;
  const cached = rootCache.get(key);
  if (cached) return cached;
  const b = BUILTINS[kind];
  if (!b) return undefined;
  const s: SchemaObject = {
    type: 'object',
    description: b.description,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { ...OBJECT_META, description: "Standard object's metadata." },
      ...b.properties,
    },
    ...(b.required ? { required: b.required } : {}),
  };
  rootCache.set(key, s);
  return s;
}

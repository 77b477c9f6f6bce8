'use strict';
/**
 * A recording stand-in for kubectl, for the end-to-end tests of `npm run secrets/up/down`.
 * The tests put an executable `kubectl` that requires this file first on PATH.
 *
 * It keeps a fake cluster in the JSON file $FAKE_KUBECTL_STATE ({ currentContext, contexts,
 * objects: { "<Kind>/<namespace>/<name>": object }, nextNodePort, crds: ["plural.group"],
 * unreachable }) and appends one JSON line per
 * call to $FAKE_KUBECTL_LOG: { argv, stdin: <whether anything came on stdin>, stdinObjects:
 * ["Kind ns/name", ...] } (never stdin's content). It understands exactly the calls the scripts
 * make and fails loudly (exit 99) on anything else, so a new call cannot pass unnoticed.
 *
 * What it emulates of the API server: namespaced objects need their Namespace; `create` refuses an
 * existing object, `replace` a missing one; server-side apply replaces the object but keeps an
 * allocated node port; NodePort Services without a port get one; applying a StatefulSet creates
 * the PVCs of its volumeClaimTemplates (the controller's job), and deleting it leaves them;
 * deleting a Namespace deletes what is in it. With `unreachable: true` every call past the kubeconfig
 * fails the way kubectl 1.3x does when the API server refuses connections (five memcache.go lines,
 * then "The connection to the server ... was refused"). The state file is rewritten only when the
 * state changed, so an unchanged file proves a no-op.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseAllDocuments } = require(path.join(__dirname, '..', '..', 'node_modules', 'yaml'));

const SECRET_KEYS_TEMPLATE = '{{range .items}}{{.metadata.name}}{{range $k, $v := .data}} {{$k}}{{end}}{{"\\n"}}{{end}}';
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass'];

const statePath = process.env.FAKE_KUBECTL_STATE;
const logPath = process.env.FAKE_KUBECTL_LOG;
const argv = process.argv.slice(2);
const stdinText = (() => { try { return fs.readFileSync(0, 'utf8'); } catch { return ''; } })();
const stdinObjects = [];

function out(text) { process.stdout.write(text); }
function fail(message, code = 1) {
  record();
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
function record() {
  fs.appendFileSync(logPath, `${JSON.stringify({ argv, stdin: stdinText.length > 0, stdinObjects })}\n`);
}

const original = fs.readFileSync(statePath, 'utf8');
const state = JSON.parse(original);
state.objects ??= {};
state.nextNodePort ??= 30000;

// Flags the scripts use; everything else is a positional.
const flags = {};
const positionals = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (['--context', '-n', '-f', '-o', '--namespace', '--duration'].includes(a)) flags[a === '--namespace' ? '-n' : a] = argv[++i];
  else if (a.startsWith('--') && a.includes('=')) flags[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
  else if (a.startsWith('--')) flags[a] = true;
  else positionals.push(a);
}

if (positionals[0] === 'config' && positionals[1] === 'current-context') {
  if (!state.currentContext) fail('error: current-context is not set');
  record();
  out(`${state.currentContext}\n`);
  process.exit(0);
}
if (positionals[0] === 'config' && positionals[1] === 'get-contexts' && flags['-o'] === 'name') {
  record();
  out((state.contexts ?? []).map((c) => `${c}\n`).join(''));
  process.exit(0);
}
if (!flags['--context']) fail('fake kubectl: every call must name --context', 98);
if (!(state.contexts ?? []).includes(flags['--context'])) fail(`error: context "${flags['--context']}" does not exist`);

if (state.unreachable) {
  const noise = 'memcache.go:265] couldn\'t get current server API group list: Get "https://10.8.0.1:6443/api?timeout=32s": dial tcp 10.8.0.1:6443: connect: connection refused';
  fail([1, 2, 3, 4, 5].map((i) => `E1201 19:00:0${i}.000000   4242 ${noise}`).concat('The connection to the server 10.8.0.1:6443 was refused - did you specify the right host or port?').join('\n'));
}

const key = (kind, ns, name) => `${kind}/${CLUSTER_SCOPED.includes(kind) ? '' : ns}/${name}`;
const kindOf = (ref) => {
  const type = ref.split('/')[0].split('.')[0];
  const kinds = {
    deployment: 'Deployment', statefulset: 'StatefulSet', service: 'Service', configmap: 'ConfigMap', secret: 'Secret',
    serviceaccount: 'ServiceAccount', networkpolicy: 'NetworkPolicy', ingress: 'Ingress', persistentvolumeclaim: 'PersistentVolumeClaim',
    poddisruptionbudget: 'PodDisruptionBudget', clusterrole: 'ClusterRole', clusterrolebinding: 'ClusterRoleBinding', namespace: 'Namespace',
    horizontalpodautoscaler: 'HorizontalPodAutoscaler', role: 'Role', rolebinding: 'RoleBinding', job: 'Job', cronjob: 'CronJob',
    daemonset: 'DaemonSet',
  };
  if (!kinds[type]) fail(`fake kubectl: unknown resource type ${type}`, 99);
  return kinds[type];
};
const namespaceExists = (ns) => state.objects[key('Namespace', '', ns)] !== undefined;

function save() {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  if (text !== original) fs.writeFileSync(statePath, text);
}

function readManifests(source) {
  const texts = source === '-' ? [stdinText]
    : fs.statSync(source).isDirectory()
      ? fs.readdirSync(source).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => fs.readFileSync(path.join(source, f), 'utf8'))
      : [fs.readFileSync(source, 'utf8')];
  const objects = texts.flatMap((t) => parseAllDocuments(t).map((d) => d.toJS()).filter(Boolean));
  const flat = objects.flatMap((o) => (o.kind === 'List' ? o.items : [o]));
  if (source === '-') for (const o of flat) stdinObjects.push(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
  return flat;
}

function checkNamespace(obj) {
  if (CLUSTER_SCOPED.includes(obj.kind)) return;
  if (!obj.metadata.namespace) fail(`fake kubectl: ${obj.kind}/${obj.metadata.name} has no namespace`, 99);
  if (!namespaceExists(obj.metadata.namespace)) fail(`Error from server (NotFound): namespaces "${obj.metadata.namespace}" not found`);
}

function upsert(obj, fieldManager) {
  const k = key(obj.kind, obj.metadata.namespace, obj.metadata.name);
  const previous = state.objects[k];
  const next = JSON.parse(JSON.stringify(obj));
  if (obj.kind === 'Service' && obj.spec?.type === 'NodePort') {
    next.spec.ports.forEach((p, i) => {
      p.nodePort ??= previous?.spec?.ports?.[i]?.nodePort ?? state.nextNodePort++;
    });
  }
  if (fieldManager) next.metadata.managedBy = fieldManager;
  state.objects[k] = next;
  if (obj.kind === 'StatefulSet') {
    for (const t of obj.spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (obj.spec.replicas ?? 1); i++) {
        const name = `${t.metadata.name}-${obj.metadata.name}-${i}`;
        const pk = key('PersistentVolumeClaim', obj.metadata.namespace, name);
        state.objects[pk] ??= { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: obj.metadata.namespace }, spec: t.spec };
      }
    }
  }
}

const verb = positionals[0];
if (verb === 'get') {
  const ns = flags['-n'];
  const type = positionals[1];
  const names = positionals.slice(2);
  const output = flags['-o'];
  if (type === 'namespace' && output === 'name' && flags['--ignore-not-found']) {
    record();
    out(names.filter(namespaceExists).map((n) => `namespace/${n}\n`).join(''));
  } else if (type === 'secrets' && output === `go-template=${SECRET_KEYS_TEMPLATE}`) {
    record();
    const items = Object.values(state.objects).filter((o) => o.kind === 'Secret' && o.metadata.namespace === ns);
    out(items.map((s) => `${s.metadata.name}${Object.keys(s.data ?? {}).sort().map((k) => ` ${k}`).join('')}\n`).join(''));
  } else if (type === 'secret' && output === 'json' && names.length === 1) {
    const s = state.objects[key('Secret', ns, names[0])];
    if (!s) fail(`Error from server (NotFound): secrets "${names[0]}" not found`);
    record();
    out(JSON.stringify(s));
  } else if (type === 'service' && output === 'jsonpath={.spec.ports[0].nodePort}' && names.length === 1) {
    const s = state.objects[key('Service', ns, names[0])];
    if (!s) fail(`Error from server (NotFound): services "${names[0]}" not found`);
    record();
    out(String(s.spec.ports[0].nodePort ?? ''));
  } else if (type === 'customresourcedefinitions' && output === 'name' && flags['--ignore-not-found']) {
    record();
    out(names.filter((n) => (state.crds ?? []).includes(n)).map((n) => `customresourcedefinition.apiextensions.k8s.io/${n}\n`).join(''));
  } else if (type === 'persistentvolumeclaims' && output === 'name') {
    record();
    out(Object.values(state.objects).filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.namespace === ns)
      .map((o) => `persistentvolumeclaim/${o.metadata.name}\n`).join(''));
  } else {
    fail(`fake kubectl: unsupported get ${argv.join(' ')}`, 99);
  }
} else if (verb === 'create' && positionals[1] === 'token') {
  // `kubectl create token <sa> --duration <d>` (npm run token): the ServiceAccount must exist; the token is made up.
  const name = positionals[2];
  if (!flags['-n'] || !name || positionals.length !== 3) fail(`fake kubectl: unsupported create token ${argv.join(' ')}`, 99);
  if (!state.objects[key('ServiceAccount', flags['-n'], name)]) fail(`error: failed to create token: serviceaccounts "${name}" not found`);
  record();
  out(`fake-token.${flags['-n']}.${name}.${flags['--duration'] ?? '1h'}\n`);
} else if (verb === 'create' || verb === 'replace') {
  if (flags['-f'] !== '-') fail('fake kubectl: create/replace only from stdin here', 99);
  for (const obj of readManifests('-')) {
    checkNamespace(obj);
    const exists = state.objects[key(obj.kind, obj.metadata.namespace, obj.metadata.name)] !== undefined;
    if (verb === 'create' && exists) fail(`Error from server (AlreadyExists): ${obj.kind.toLowerCase()}s "${obj.metadata.name}" already exists`);
    if (verb === 'replace' && !exists) fail(`Error from server (NotFound): ${obj.kind.toLowerCase()}s "${obj.metadata.name}" not found`);
    upsert(obj);
    out(`${obj.kind.toLowerCase()}/${obj.metadata.name} ${verb === 'create' ? 'created' : 'replaced'}\n`);
  }
  record();
  save();
} else if (verb === 'apply') {
  if (flags['--server-side'] !== true || !flags['--field-manager']) fail('fake kubectl: only server-side apply with a field manager', 99);
  for (const obj of readManifests(flags['-f'])) {
    checkNamespace(obj);
    upsert(obj, flags['--field-manager']);
    out(`${obj.kind.toLowerCase()}/${obj.metadata.name} serverside-applied\n`);
  }
  record();
  save();
} else if (verb === 'rollout' && positionals[1] === 'status') {
  const [type, name] = positionals[2].split('/');
  if (!flags['--timeout']) fail('fake kubectl: rollout status without --timeout', 99);
  const obj = state.objects[key(kindOf(type), flags['-n'], name)];
  if (!obj) fail(`Error from server (NotFound): ${type}s.apps "${name}" not found`);
  record();
  out(`${type} "${name}" successfully rolled out\n`);
} else if (verb === 'delete') {
  if (flags['--ignore-not-found'] !== true) fail('fake kubectl: delete without --ignore-not-found', 99);
  for (const ref of positionals.slice(1)) {
    const kind = kindOf(ref);
    const name = ref.split('/')[1];
    const k = key(kind, flags['-n'], name);
    if (!state.objects[k]) continue;
    delete state.objects[k];
    if (kind === 'Namespace') {
      for (const other of Object.keys(state.objects)) if (state.objects[other].metadata.namespace === name) delete state.objects[other];
    }
    out(`${ref} deleted\n`);
  }
  record();
  save();
} else {
  fail(`fake kubectl: unsupported call ${argv.join(' ')}`, 99);
}

// Validates every object of rendered Kubernetes manifests (multi-document YAML, files named on the
// command line) against its JSON schema: the Kubernetes API's from kubernetes-models, the Prometheus
// Operator's and KEDA's CRD schemas from @kubernetes-models. Prints one JSON object
// {"objects": [{"file", "apiVersion", "kind", "name", "errors"}]} and exits 0; an object whose
// apiVersion and kind no package knows is reported with an error, never passed.
//
// The schemas accept fields they do not name (the API server drops them, or rejects them only with
// strict field validation), and a misspelt field is the commonest mistake in a manifest. So every
// field is also probed: set to a value of no JSON type, it must make the schema complain at that
// very field, which a field the schema does not know cannot do.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// The module of each API group and version; a kind is a class exported by it.
function moduleOf(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  if (apiVersion.startsWith("keda.sh/")) {
    return `@kubernetes-models/keda/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

const PROBE = Symbol("probe");

function errorsOf(Model, object) {
  try {
    new Model(object).validate();
    return "";
  } catch (e) {
    return e.message;
  }
}

// The JSON pointer of a path, as the validator's messages write it ("data/spec/...").
function pointer(path) {
  return "data" + path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

// The fields under node (at path) that the schema does not know; known ones are searched in turn.
function unknownFields(Model, root, node, path, out) {
  if (Array.isArray(node)) {
    node.forEach((element, i) => unknownFields(Model, root, element, [...path, i], out));
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    node[key] = PROBE;
    const message = errorsOf(Model, root);
    node[key] = value;
    const at = pointer([...path, key]);
    if (!message.includes(at + " ")) {
      out.push(`${at.slice(4)}: not a field of the schema`);
      continue;
    }
    unknownFields(Model, root, value, [...path, key], out);
  }
}

const objects = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      objects.push({ file, errors: doc.errors.map((e) => e.message) });
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    const entry = { file, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, errors: [] };
    objects.push(entry);
    let Model;
    try {
      Model = (await import(moduleOf(object.apiVersion)))[object.kind];
    } catch (e) {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      entry.errors.push(`no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const message = errorsOf(Model, object);
    if (message) {
      entry.errors.push(message);
      continue;
    }
    unknownFields(Model, object, object, [], entry.errors);
  }
}
console.log(JSON.stringify({ objects }));

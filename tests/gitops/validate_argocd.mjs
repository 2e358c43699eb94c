// Validates Argo CD objects against Argo CD's own schema
// (@kubernetes-models/argo-cd, generated from argo-cd/v3 API types).
// Usage: node validate_argocd.mjs FILE...
// Prints one JSON line per YAML document: {file, index, kind, name, errors}.
// Exits 1 if any document is invalid or is not an Argo CD kind.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import {
  Application,
  ApplicationSet,
  AppProject,
} from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";

const models = { Application, ApplicationSet, AppProject };
let failed = false;

for (const file of process.argv.slice(2)) {
  parseAllDocuments(readFileSync(file, "utf8")).forEach((doc, index) => {
    const errors = doc.errors.map((e) => `yaml: ${e.message}`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return;
    const Model = models[obj.kind];
    if (obj.apiVersion !== "argoproj.io/v1alpha1" || !Model) {
      errors.push(`not an Argo CD object: ${obj.apiVersion} ${obj.kind}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (e) {
        for (const err of e.errors ?? [e]) {
          errors.push(err.instancePath !== undefined ? `${err.instancePath} ${err.message}` : String(err.message ?? err));
        }
      }
    }
    if (errors.length) failed = true;
    console.log(JSON.stringify({ file, index, kind: obj.kind, name: obj.metadata?.name, errors }));
  });
}
process.exit(failed ? 1 : 0);

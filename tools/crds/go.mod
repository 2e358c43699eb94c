// Pins the releases whose CRDs the library's typed APIs are imported from
// (cdk8s import, scripts/import_crds.py) and the cluster tests install. No Go
// code is built: the modules are fetched for their CRD manifests only.
module github.com/example-org/todo-deploy-kit/tools/crds

go 1.26.0

require (
	// ExternalSecret at external-secrets.io/v1.
	github.com/external-secrets/external-secrets v0.16.2
	// HTTPRoute at gateway.networking.k8s.io/v1.
	sigs.k8s.io/gateway-api v1.6.3
)

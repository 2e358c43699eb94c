//go:build tools

// The module is required for its CRD manifests, not its Go code; this import
// keeps `go mod tidy` from dropping it.
package tools

import _ "sigs.k8s.io/gateway-api/apis/v1"

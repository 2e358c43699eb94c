// The CNCF Distribution registry, as its cmd/registry builds it with the filesystem
// storage driver: the OCI registry the release rehearsal pushes the charts to.
package main

import (
	"os"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	if err := registry.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}

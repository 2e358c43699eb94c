// Command seccomp-profile prints the RuntimeDefault-like seccomp profile that
// Docker applies, from github.com/moby/profiles, as the OCI runtime-spec
// "linux.seccomp" object runc reads. Its arguments are the capabilities the
// container keeps: the profile allows some syscalls only to holders of a
// capability (CAP_SYS_ADMIN's mount, say), exactly as dockerd resolves it.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func main() {
	caps := os.Args[1:]
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding: caps, Effective: caps, Permitted: caps,
	}}}
	profile, err := seccomp.GetDefaultProfile(spec)
	if err == nil {
		err = json.NewEncoder(os.Stdout).Encode(profile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seccomp-profile:", err)
		os.Exit(1)
	}
}

// Command netpol-reach answers, for each connection given, whether a set of
// Kubernetes NetworkPolicies lets it through. The verdicts come from
// cyclonus's policy matcher, the engine behind `cyclonus analyze --mode
// query-traffic`, so the tests' reachability tables are not our own reading
// of the NetworkPolicy API.
//
// Input (stdin): {"policies": [NetworkPolicy, ...], "traffic": [Traffic, ...]}
// with cyclonus's matcher.Traffic: Source and Destination (Internal:
// Namespace, NamespaceLabels, PodLabels; and IP), ResolvedPort,
// ResolvedPortName and Protocol.
//
// Output (stdout): one JSON line per connection, in order:
// {"ingress": <the destination's policies admit it>, "egress": <the source's let it out>}.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	networkingv1 "k8s.io/api/networking/v1"
)

type request struct {
	Policies []*networkingv1.NetworkPolicy `json:"policies"`
	Traffic  []*matcher.Traffic            `json:"traffic"`
}

type verdict struct {
	Ingress bool `json:"ingress"`
	Egress  bool `json:"egress"`
}

func main() {
	var in request
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "netpol-reach: reading the request: %v\n", err)
		os.Exit(2)
	}
	// Unsimplified: each policy is matched as written.
	policies := matcher.BuildNetworkPolicies(false, in.Policies)
	out := json.NewEncoder(os.Stdout)
	for _, traffic := range in.Traffic {
		result := policies.IsTrafficAllowed(traffic)
		if err := out.Encode(verdict{Ingress: result.Ingress.IsAllowed(), Egress: result.Egress.IsAllowed()}); err != nil {
			fmt.Fprintf(os.Stderr, "netpol-reach: %v\n", err)
			os.Exit(1)
		}
	}
}

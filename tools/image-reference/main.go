// Command image-reference reads image references, each ended by a NUL byte (a
// reference may hold any character), and prints for each, NUL-ended, whether container runtimes accept it: the error of
// github.com/distribution/reference's ParseDockerRef, which containerd's CRI
// plugin parses a pod's image with before it pulls, or "ok" and the name, tag
// and digest the reference grammar reads in it, tab-separated. The tests hold
// the library's own check of image, image_tag and image_digest to these verdicts.
package main

import (
	"bufio"
	"bytes"
	// go-digest knows an algorithm once its hash is linked in; containerd links
	// both (sha512 holds SHA-384 too), so sha256, sha384 and sha512 digests parse.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"
	"os"

	"github.com/distribution/reference"
)

func main() {
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	lines.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, 0); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return 0, nil, fmt.Errorf("the last reference is not NUL-ended")
		}
		return 0, nil, nil
	})
	for lines.Scan() {
		if _, err := reference.ParseDockerRef(lines.Text()); err != nil {
			fmt.Printf("%s\x00", err)
			continue
		}
		parsed, err := reference.Parse(lines.Text())
		if err != nil {
			fmt.Printf("%s\x00", err)
			continue
		}
		var name, tag, digest string
		if named, ok := parsed.(reference.Named); ok {
			name = named.Name()
		}
		if tagged, ok := parsed.(reference.Tagged); ok {
			tag = tagged.Tag()
		}
		if digested, ok := parsed.(reference.Digested); ok {
			digest = digested.Digest().String()
		}
		fmt.Printf("ok\t%s\t%s\t%s\x00", name, tag, digest)
	}
	if err := lines.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "image-reference:", err)
		os.Exit(1)
	}
}

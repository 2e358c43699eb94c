// actionlint, as its cmd/actionlint builds it: lints the GitHub Actions workflows in
// .github/workflows (with ShellCheck on their run: scripts when it is on PATH).
package main

import (
	"os"

	"github.com/rhysd/actionlint"
)

func main() {
	cmd := actionlint.Command{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(cmd.Main(os.Args))
}

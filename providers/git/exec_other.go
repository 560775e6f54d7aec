//go:build !unix

package git

import "os/exec"

// ownGroup leaves cmd as it is: without Unix process groups only the
// command itself is killed when its context ends (exec's default).
func ownGroup(*exec.Cmd) {}

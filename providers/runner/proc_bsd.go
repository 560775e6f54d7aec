//go:build unix && !linux

package runner

import "syscall"

// dieWithParent does nothing: only Linux has a parent-death signal. An
// agent left by a marcus killed with kill -9 is found by Reap.
func dieWithParent(*syscall.SysProcAttr) {}

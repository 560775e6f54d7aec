//go:build linux

package runner

import "syscall"

// dieWithParent has the kernel SIGKILL the agent when marcus dies, even by
// kill -9. It reaches only the leader; what the leader left in its group
// is found again by Reap (marcus run --cleanup).
func dieWithParent(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }

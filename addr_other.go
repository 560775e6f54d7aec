//go:build !windows

package main

import "syscall"

// errAddrInUse is the error a listen on a taken address wraps.
var errAddrInUse error = syscall.EADDRINUSE

//go:build windows

package main

import "syscall"

// errAddrInUse is the error a listen on a taken address wraps: Winsock's
// WSAEADDRINUSE, which package syscall does not name.
var errAddrInUse error = syscall.Errno(10048)

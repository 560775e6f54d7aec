//go:build !unix

package runner

import "os"

func startTime(int) (string, error)  { return "", os.ErrNotExist }
func orphanedGroup(int, string) bool { return false }

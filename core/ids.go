package core

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a random id with a short prefix, e.g. "t-k3x9q2mfa7cd".
// Twelve base32 characters carry 60 bits: collisions are not a concern at
// board sizes.
func NewID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + "-" + strings.ToLower(idEncoding.EncodeToString(b[:])[:12])
}

//go:build race

package sqlite

// raceEnabled reports a -race build, which slows SQLite (C translated to
// Go, every memory access checked) about tenfold; timing-sensitive tests
// widen their margins by it.
const raceEnabled = true

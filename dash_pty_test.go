//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal of rows x cols: the dashboard writes to
// and reads from slave, the test reads what it drew from master.
func openPTY(t *testing.T, rows, cols uint16) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	var unlock int32
	var n uint32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	size := [4]uint16{rows, cols, 0, 0}
	if err := ioctl(slave, syscall.TIOCSWINSZ, unsafe.Pointer(&size)); err != nil {
		t.Fatal(err)
	}
	return master, slave
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// A background loop that panics beside the dashboard is told in the
// footer; the dashboard still answers its keys, gives the terminal back
// when it ends, and the command then exits with the panic as its error.
func TestDashboardReportsAPanickingLoop(t *testing.T) {
	master, slave := openPTY(t, 30, 120)
	var screen syncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&screen, master); close(copied) }()
	defer func() { master.Close(); <-copied }()
	defer slave.Close()
	stdin := os.Stdin
	os.Stdin = slave // the dashboard reads its keys from the terminal it draws on
	defer func() { os.Stdin = stdin }()

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(cfgFile, []string{"MARCUS_DB=" + filepath.Join(dir, "m.db"), "MARCUS_LOG_FILE=" + filepath.Join(dir, "marcus.log")})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{out: slave, errOut: io.Discard, cfg: cfg}
	d, err := wire(t.Context(), runSettings{cfg: cfg, interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	d.sup = newSupervisor(context.Background())
	d.sup.AtStop(d.close)
	done := make(chan error, 1)
	go func() {
		done <- a.runDashboard(d.sup.Context(), d, dashOptions{backgroundName: "the synthetic agents",
			background: func(context.Context) (string, error) { panic("boom-7f3a") }})
	}()
	waitFor(t, &screen, "boom-7f3a")
	if _, err := master.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the dashboard ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard did not quit on q after the panic")
	}
	err = d.sup.Stop()
	if exitCode(err) != 1 || !strings.Contains(fmt.Sprint(err), "the synthetic agents stopped after an internal error") {
		t.Errorf("the command's error: %v (exit %d); want the panic, exit 1", err, exitCode(err))
	}
	out := screen.String()
	if i, j := strings.Index(out, "boom-7f3a"), strings.LastIndex(out, "\x1b[?1049l"); j < i {
		t.Errorf("the terminal was not given back (no exit from the alternate screen after the report)")
	}
}

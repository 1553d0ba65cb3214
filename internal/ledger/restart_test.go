package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ledger"
)

const crashHelperEnv = "KOX_LEDGER_CRASH_HELPER"

// crashHelper runs in a child process: it makes transfers one after another and
// prints the client id of each as soon as the ledger acknowledges it, until it
// is killed.
func crashHelper() {
	target := db.Target{Engine: db.Engine(os.Getenv("KOX_CRASH_ENGINE")), Path: os.Getenv("KOX_CRASH_PATH"), URL: os.Getenv("KOX_CRASH_URL")}
	program, _ := strconv.ParseInt(os.Getenv("KOX_CRASH_PROGRAM"), 10, 64)
	from, _ := strconv.ParseInt(os.Getenv("KOX_CRASH_FROM"), 10, 64)
	to, _ := strconv.ParseInt(os.Getenv("KOX_CRASH_TO"), 10, 64)
	d, err := db.OpenTarget(context.Background(), target)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	l := ledger.New(d)
	for i := 0; ; i++ {
		id := fmt.Sprintf("crash-%d", i)
		rs, err := l.Transfer(context.Background(), program, []ledger.Transfer{{ClientID: id, DebitAccountID: from, CreditAccountID: to, Amount: 1}})
		if err != nil || rs[0].Code != ledger.OK {
			fmt.Println("error", err, rs)
			os.Exit(2)
		}
		fmt.Println("ack", id)
	}
}

// A transfer acknowledged before the process is killed is there after restart.
func TestAcknowledgedTransfersSurviveAKill(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := dbtest.Target(t, e)
			d, err := db.OpenTarget(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			l := ledger.New(d)
			p := newProgram(t, d)
			from := open(t, l, p, "points", "issued", "", ledger.NoLimit)
			to := open(t, l, p, "points", "member_points", "member:1", ledger.DebitsMustNotExceedCredits)
			l.Close()
			d.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashHelperEnv+"=1",
				"KOX_CRASH_ENGINE="+string(target.Engine), "KOX_CRASH_PATH="+target.Path, "KOX_CRASH_URL="+target.URL,
				fmt.Sprintf("KOX_CRASH_PROGRAM=%d", p), fmt.Sprintf("KOX_CRASH_FROM=%d", from.ID), fmt.Sprintf("KOX_CRASH_TO=%d", to.ID))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var acked []string
			sc := bufio.NewScanner(out)
			deadline := time.Now().Add(60 * time.Second)
			for len(acked) < 40 && sc.Scan() {
				line := sc.Text()
				if id, ok := strings.CutPrefix(line, "ack "); ok {
					acked = append(acked, id)
				} else {
					t.Fatalf("helper: %s", line)
				}
				if time.Now().After(deadline) {
					break
				}
			}
			// SIGKILL: no deferred code, no graceful close.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if len(acked) < 40 {
				t.Fatalf("only %d transfers acknowledged before the deadline", len(acked))
			}

			d, err = db.OpenTarget(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			l = ledger.New(d)
			defer l.Close()
			for _, id := range acked {
				if _, err := l.Lookup(context.Background(), p, id); err != nil {
					t.Fatalf("acknowledged transfer %s lost after kill: %v", id, err)
				}
			}
			bal := account(t, l, p, to.ID).Balance()
			if bal < int64(len(acked)) {
				t.Fatalf("balance %d after restart, but %d transfers were acknowledged", bal, len(acked))
			}
			checkInvariants(t, d, p)
		})
	}
}

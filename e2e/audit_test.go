//go:build audit

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGraphQLHTTPAudit runs graphql-http's serverAudits (the GraphQL over
// HTTP conformance suite, version pinned in audit/package-lock.json)
// against the real server and fails on any MUST or SHOULD audit that does
// not pass. It needs node and npm; `npm ci` installs the pinned packages.
// Run it with: go test -tags audit -run TestGraphQLHTTPAudit ./e2e/
func TestGraphQLHTTPAudit(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the audit needs node (Node 18+): %v", err)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("the audit needs npm: %v", err)
	}
	dir, _ := filepath.Abs("audit")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil || os.Getenv("CI") != "" {
		ci := reaped(t.Context(), npm, "ci", "--no-audit", "--no-fund")
		ci.Dir = dir
		if out, err := ci.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	p := start(t, nil, "-data", filepath.Join(t.TempDir(), "audit.db"))
	defer p.stop(t, 20*time.Second)

	ctx, cancel := testContext(t)
	defer cancel()
	cmd := reaped(ctx, node, "audit.mjs", p.url+"/graphql")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node audit.mjs: %v\n%s", err, out)
	}
	var res struct {
		Results []struct {
			ID, Name, Level, Status, Reason string
		}
		Counts map[string]struct{ Passed, Total int }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("audit output: %v\n%s", err, out)
	}
	if len(res.Results) == 0 {
		t.Fatal("no audits ran")
	}
	var failed []string
	for _, r := range res.Results {
		if r.Status != "ok" {
			t.Logf("%s %s %s: %s", r.ID, r.Status, r.Name, r.Reason)
			if r.Level == "MUST" || r.Level == "SHOULD" {
				failed = append(failed, r.ID+" "+r.Name)
			}
		}
	}
	for _, level := range []string{"MUST", "SHOULD", "MAY"} {
		c := res.Counts[level]
		t.Logf("%s: %d/%d passed", level, c.Passed, c.Total)
	}
	if len(failed) > 0 {
		t.Errorf("MUST/SHOULD audits failing (fix them or list them with the reason in docs/hardening.md):\n  %s", strings.Join(failed, "\n  "))
	}
}

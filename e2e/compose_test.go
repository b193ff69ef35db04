package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The compose file is checked with compose-go, the loader `docker compose
// config` itself is built on: the same interpolation, the Compose
// Specification's JSON schema, normalisation and consistency checks
// (services, networks and volumes that are used must exist, depends_on must
// name services, ...), with no Docker engine.

// loadCompose loads the file at path as `docker compose -f path config`
// would with exactly env as the environment.
func loadCompose(t *testing.T, path string, env map[string]string) (*types.Project, error) {
	t.Helper()
	var kv []string
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{path},
		cli.WithName("regiongraph"),
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithEnv(kv),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	return opts.LoadProject(context.Background())
}

func TestComposeFileIsValid(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadCompose(t, path, map[string]string{"NEO4J_PASSWORD": "ci-validate-only"})
	if err != nil {
		t.Fatalf("docker-compose.yml is not a valid Compose file: %v", err)
	}
	names := p.ServiceNames()
	slices.Sort(names)
	t.Logf("docker-compose.yml: services %v, volumes %v", names, slices.Sorted(maps.Keys(p.Volumes)))
	if _, ok := p.Services["neo4j"]; !ok {
		t.Errorf("no neo4j service in %v", names)
	}
	// Every service that runs regiongraph runs a subcommand the binary has.
	ran := 0
	for _, s := range p.Services {
		if s.Build == nil && !strings.HasPrefix(s.Image, "regiongraph") {
			continue
		}
		ran++
		if len(s.Command) == 0 || !slices.Contains([]string{"serve", "import"}, s.Command[0]) {
			t.Errorf("service %s runs %q: not serve or import", s.Name, s.Command)
		}
		for dep, d := range s.DependsOn {
			if dep == "neo4j" && d.Condition != types.ServiceConditionHealthy {
				t.Errorf("service %s waits for neo4j to be %q, not healthy", s.Name, d.Condition)
			}
		}
	}
	if ran == 0 {
		t.Errorf("no service runs regiongraph (built here or image regiongraph*)")
	}
	if p.Services["neo4j"].HealthCheck == nil {
		t.Errorf("the neo4j service has no health check, so depends_on: service_healthy cannot work")
	}

	// The password is required, as the file says: without it loading fails
	// naming the variable.
	if _, err := loadCompose(t, path, nil); err == nil || !strings.Contains(err.Error(), "NEO4J_PASSWORD") {
		t.Errorf("loading without NEO4J_PASSWORD: %v, want an error naming it", err)
	}
}

// TestComposeCheckRejectsBrokenFiles proves the check can fail: each of
// these files breaks the specification in one way.
func TestComposeCheckRejectsBrokenFiles(t *testing.T) {
	for name, body := range map[string]string{
		"unknown key":           "services:\n  api:\n    image: x\n    restrat: always\n",
		"wrong type":            "services:\n  api:\n    image: x\n    ports: 8080\n",
		"unknown dependency":    "services:\n  api:\n    image: x\n    depends_on:\n      db:\n        condition: service_healthy\n",
		"undeclared volume":     "services:\n  api:\n    image: x\n    volumes:\n      - data:/data\n",
		"bad depends condition": "services:\n  api:\n    image: x\n    depends_on:\n      db:\n        condition: when_ready\n  db:\n    image: y\n",
		"not yaml":              "services: [\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "docker-compose.yml")
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadCompose(t, path, nil)
			if err == nil {
				t.Fatalf("accepted:\n%s", body)
			}
			t.Logf("refused: %v", err)
		})
	}
}

// Command regiongraph serves the stakeholder graph of a regional cooperation
// over GraphQL, with a partnership map, and imports and exports datasets.
//
//	regiongraph [serve] [flags]      serve the API (the default)
//	regiongraph import [flags] [file] load a dataset (the bundled one by default)
//	regiongraph import FILE.xlsx ...   import spreadsheets (the diff, then one batch)
//	regiongraph token -name N -role R make a bearer token for the API
//	regiongraph version
//
// Every flag can also be set in the environment as REGIONGRAPH_<FLAG>, with
// dashes as underscores (REGIONGRAPH_ADDR, REGIONGRAPH_DATA, ...); a flag on
// the command line wins.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := a.run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "regiongraph:", err)
		}
		os.Exit(exitCode(err))
	}
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// app is the program with its surroundings injected, so tests run it whole.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// onListen, when set, is called with the address the server listens on.
	onListen func(addr string)
}

func (a *app) run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return a.serve(ctx, args)
	case "import":
		return a.importCmd(ctx, args)
	case "export":
		return a.exportCmd(ctx, args)
	case "token":
		return a.tokenCmd(args)
	case "version":
		fmt.Fprintln(a.stdout, "regiongraph", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
		return nil
	}
	fmt.Fprintf(a.stderr, "regiongraph: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

var version = "dev"

const usage = `Usage:
  regiongraph [serve] [flags]        serve the GraphQL API and the map (default)
  regiongraph import [flags] [file]  load a dataset into the store (the bundled one by default)
  regiongraph import [--dry-run] [--server URL] FILE.xlsx|FILE.csv ...
                                     import spreadsheets: show the diff, apply it in one batch
  regiongraph export --format F [filters] [-o file]
                                     write the graph as graphml, gexf, cytoscape.json, graphology.json,
                                     csv, xlsx (a workbook to edit and import again) or csv-sheets
  regiongraph token -name N -role R  make a bearer token (role reader, editor or admin)
  regiongraph version

Run "regiongraph serve -h" or "regiongraph import -h" for the flags.
`

func (a *app) logger(c *config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.logLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

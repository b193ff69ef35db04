// Command regiongraph serves the stakeholder graph of a regional cooperation
// over GraphQL, with a partnership map, and imports and exports datasets.
//
//	regiongraph [serve] [flags]       serve the API (the default)
//	regiongraph import [flags] [file] load a dataset (the bundled one by default)
//	regiongraph import FILE.xlsx ...  import spreadsheets (the diff, then one batch)
//	regiongraph export --format F     write the graph for drawing tools
//	regiongraph token -name N -role R make a bearer token for the API
//	regiongraph version
//	regiongraph help [command]        list the commands, or a command's flags
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
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, limiter: runtimeLimiter{}}
	err := a.run(ctx, os.Args[1:])
	if err != nil && !errors.Is(err, errUsage) && !errors.Is(err, errHelp) {
		fmt.Fprintln(os.Stderr, "regiongraph:", message(err))
	}
	os.Exit(exitCode(err))
}

var (
	// errUsage: the command line is wrong; what is wrong has been printed.
	errUsage = errors.New("usage")
	// errHelp: help was asked for and printed.
	errHelp = errors.New("help")
)

func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// message is err's text for a person: the domain's errors say
// "regiongraph: CODE: ..." inside whatever wraps them, and main prints
// "regiongraph:" once in front.
func message(err error) string {
	return strings.ReplaceAll(err.Error(), "regiongraph: ", "")
}

// app is the program with its surroundings injected, so tests run it whole.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// onListen, when set, is called with the address the server listens on.
	onListen func(addr string)
	// limiter sets the Go runtime's memory limit (-memory-limit): the
	// runtime's own in main, a recorder in tests; nil leaves it alone.
	limiter memoryLimiter
}

// subcommands are the program's commands, in the order help lists them.
var subcommands = []struct{ name, args, summary string }{
	{"serve", "[flags]", "serve the GraphQL API and the partnership map (what runs with no command)"},
	{"import", "[flags] [file ...]", "load a dataset into the store (the bundled one, or a YAML file), or import spreadsheets (.xlsx, .csv): the diff, then one batch"},
	{"export", "--format F [filters] [-o file]", "write the graph for Gephi, yEd, Cytoscape.js, sigma.js or a spreadsheet"},
	{"token", "-name N -role R", "make a bearer token for the API (role reader, editor or admin)"},
	{"version", "", "print the version"},
	{"help", "[command]", "print this list, or a command's flags"},
}

func (a *app) run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		cmd, args = "help", nil
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
	case "help":
		if len(args) == 1 && args[0] != "help" {
			for _, s := range subcommands {
				if s.name == args[0] {
					return a.run(ctx, []string{args[0], "-h"})
				}
			}
			fmt.Fprintf(a.stderr, "regiongraph help: unknown command %q\n\n", args[0])
			a.printUsage(a.stderr)
			return errUsage
		}
		a.printUsage(a.stdout)
		return nil
	}
	fmt.Fprintf(a.stderr, "regiongraph: unknown command %q\n\n", cmd)
	a.printUsage(a.stderr)
	return errUsage
}

var version = "dev"

func (a *app) printUsage(w io.Writer) {
	fmt.Fprint(w, `regiongraph serves the graph of a regional cooperation (municipalities,
networks, partners, funds and the initiatives they own or fund) over GraphQL,
with a partnership map, and imports and exports it.

Usage:
  regiongraph <command> [flags] [arguments]

Commands:
`)
	for _, s := range subcommands {
		fmt.Fprintf(w, "  %-8s %s\n", s.name, s.summary)
	}
	fmt.Fprint(w, `
With no command regiongraph serves on :8080 with the embedded store
(regiongraph.db, filled from the bundled dataset when new).
Every flag can also be set in the environment as REGIONGRAPH_<FLAG>
(dashes as underscores); a flag on the command line wins.
Run "regiongraph help <command>" or "regiongraph <command> -h" for its flags.
`)
}

func (a *app) logger(c *config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo // -log-level accepts only what UnmarshalText does
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

package main

import (
	"fmt"

	"github.com/regiongraph/regiongraph/auth"
)

// tokenCmd makes a fresh random token and prints it with the line that
// grants it: the server keeps only the token's SHA-256, so the token is
// shown this once.
const tokenHelp = `Usage: regiongraph token -name NAME [-role ROLE]

Makes a fresh random bearer token and prints it with the line that grants it,
for the server's tokens file ($REGIONGRAPH_TOKENS_FILE) or $REGIONGRAPH_TOKENS.
The server keeps only the token's SHA-256, so the token is shown this once.
`

func (a *app) tokenCmd(args []string) error {
	cmd := newCommand("token", 0, &config{})
	fs := cmd.fs
	name := fs.String("name", "", "who the token is for; recorded in the change history (letters, digits, . _ @ -)")
	role := fs.String("role", "editor", "reader, editor (create, update, link) or admin (also delete and import)")
	if err := a.parseCommand(cmd, tokenHelp, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(a.stderr, "regiongraph token: unexpected arguments %q\n", fs.Args())
		return errUsage
	}
	if !auth.ValidName(*name) {
		fmt.Fprintf(a.stderr, "regiongraph token: -name %q: give 1–64 letters, digits and . _ @ -\n", *name)
		return errUsage
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		fmt.Fprintf(a.stderr, "regiongraph token: -role: %v\n", err)
		return errUsage
	}
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	h := auth.Hash(token)
	fmt.Fprintf(a.stdout, `Token for %[1]s (role %[2]s). Give it to %[1]s; it is not stored and not shown again:

  %[3]s

Add this line to the tokens file ($REGIONGRAPH_TOKENS_FILE) and restart the server:

  %[1]s %[2]s %[4]s

or add this entry to $REGIONGRAPH_TOKENS (comma-separated):

  %[1]s:%[2]s:%[4]s

Use it as the header "Authorization: Bearer %[3]s".
`, *name, r, token, h)
	return nil
}

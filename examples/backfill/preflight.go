package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// runPreflight is -preflight: one pass over the register's pending records
// that sends nothing (no IDA client, no protocol is opened). It writes the
// JSON report to preflight.json in -dir and prints the short summary, or
// the JSON with -json-summary.
func runPreflight(ctx context.Context, o *options, reg *sqlregister.Register, stdout io.Writer) error {
	rep, err := registers.Preflight(ctx, reg, registers.PreflightOptions{BatchSize: o.batch})
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(o.dir, "preflight.json")
	if err := os.WriteFile(path, append(js, '\n'), 0o600); err != nil {
		return err
	}
	if o.jsonSummary {
		_, err := fmt.Fprintf(stdout, "%s\n", js)
		return err
	}
	ex := reg.Existing()
	fmt.Fprint(stdout, rep)
	fmt.Fprintf(stdout, "  the register's own IDNrs checked at open: %d valid, %d invalid, %d held twice\n", ex.Valid, ex.Invalid, ex.Duplicate)
	fmt.Fprintf(stdout, "report: %s\n", path)
	return nil
}

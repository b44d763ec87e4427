package postgres_test

import (
	"context"
	"fmt"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/postgres"
)

// Open the store in a schema of its own and put an audit.Log on it. (No
// Output: the example needs a running PostgreSQL, so it is compiled but
// not run; the conformance tests run against REGMO_TEST_POSTGRES_DSN.)
func Example() {
	ctx := context.Background()
	// Every setting has a working default; options are small tweaks.
	st, err := postgres.Open(ctx, "postgres://audit@db.example:5432/register?sslmode=verify-full",
		postgres.WithSchema("audit"), postgres.WithMaxConns(16))
	if err != nil {
		panic(err) // the error never shows the DSN's password
	}
	key, _, err := audit.LoadOrCreateSigningKey("/etc/regmo/audit-signing.key")
	if err != nil {
		panic(err)
	}
	log, err := audit.New(ctx, st, audit.Options{SigningKey: key})
	if err != nil {
		panic(err)
	}
	defer log.Close() // closes the store too

	rep, err := log.Verify(ctx)
	fmt.Println("verified", rep.Records, err)
}

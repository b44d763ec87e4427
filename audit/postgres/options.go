package postgres

import (
	"regexp"
	"time"
)

// Option configures [Open].
type Option func(*config)

type config struct {
	schema   string
	prefix   string
	maxConns int32
}

// WithSchema keeps the tables in the given schema (created if needed)
// instead of the connection's default schema.
func WithSchema(s string) Option { return func(c *config) { c.schema = s } }

// WithTablePrefix puts a prefix before every table name.
func WithTablePrefix(p string) Option { return func(c *config) { c.prefix = p } }

// writeConns is the size of the writers' pool: the record committer, the
// access-log committer, Purge and the metadata. Transport events and legal
// holds, which applications write at will, use the readers' pool.
const writeConns = 3

// cancelDelay is how long a statement whose context ended may run on
// before the server is asked to cancel it.
const cancelDelay = 2 * time.Second

// WithMaxConns bounds the readers' connection pool (default 8); the writers
// (the committers) have a pool of their own with up to 3 connections.
func WithMaxConns(n int32) Option { return func(c *config) { c.maxConns = n } }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

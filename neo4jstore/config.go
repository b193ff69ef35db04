package neo4jstore

import (
	"net"
	"net/url"
	"os"
	"time"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // default DefaultURI
	User     string // default DefaultUser; with an empty Password no credentials are sent
	Password string
	Database string // default DefaultDatabase
	// ConnectTimeout bounds Open's connectivity check and each connection
	// attempt (default DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// QueryTimeout bounds every query and transaction, as a context deadline
	// and as the server-side transaction timeout (default DefaultQueryTimeout).
	QueryTimeout time.Duration
	// Now is the clock that stamps history entries (default time.Now).
	Now func() time.Time
}

// Defaults.
const (
	DefaultURI            = "neo4j://localhost:7687"
	DefaultUser           = "neo4j"
	DefaultDatabase       = "neo4j"
	DefaultConnectTimeout = 10 * time.Second
	DefaultQueryTimeout   = 30 * time.Second
)

// ConfigFromEnv reads NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and
// NEO4J_DATABASE. An unset or empty variable leaves its field empty, which
// Open replaces by the default (NEO4J_PASSWORD has none); the timeouts are
// left to their defaults.
func ConfigFromEnv() Config {
	return Config{
		URI:      os.Getenv("NEO4J_URI"),
		User:     os.Getenv("NEO4J_USER"),
		Password: os.Getenv("NEO4J_PASSWORD"),
		Database: os.Getenv("NEO4J_DATABASE"),
	}
}

// withDefaults fills the empty fields.
func (c Config) withDefaults() Config {
	if c.URI == "" {
		c.URI = DefaultURI
	}
	if c.User == "" {
		c.User = DefaultUser
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	return c
}

// address returns host:port of the URI for messages, never credentials.
func (c Config) address() string {
	u, err := url.Parse(c.URI)
	if err != nil || u.Host == "" {
		return "(malformed URI)"
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "7687")
	}
	return u.Host
}

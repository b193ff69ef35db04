// Package metrics is regiongraph's Prometheus instrumentation: GraphQL
// requests by operation and outcome with their latency, requests of every
// route by outcome with their latency, requests in flight (until their work
// has stopped), analyses running and their shared results, requests refused
// by each limit, and store calls by method and outcome with their latency.
// A nil *Metrics records nothing.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, registered on a registry of their own (so
// tests and several servers in one process do not collide).
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	rejections   *prometheus.CounterVec
	storeCalls   *prometheus.CounterVec
	storeLatency *prometheus.HistogramVec
	http         *prometheus.CounterVec
	routes       *prometheus.CounterVec
	routeLatency *prometheus.HistogramVec
	routeFlight  *prometheus.GaugeVec
	computing    prometheus.Gauge
	cache        *prometheus.CounterVec

	// The children the requests use, by their label values.
	requestsBy     *children[pair, prometheus.Counter]
	latencyBy      *children[pair, prometheus.Observer]
	httpBy         *children[routeCode, prometheus.Counter]
	routesBy       *children[pair, prometheus.Counter]
	routeLatencyBy *children[string, prometheus.Observer]
	routeFlightBy  *children[string, prometheus.Gauge]
	storeCallsBy   *children[pair, prometheus.Counter]
	storeLatencyBy *children[string, prometheus.Observer]
}

// New returns fresh metrics, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_graphql_requests_total",
			Help: "GraphQL requests by operation name (anonymous, unvalidated, other or a plain name) and outcome (ok, field_errors, bad_request, timeout, overloaded, client_closed, internal).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "regiongraph_graphql_request_duration_seconds",
			Help:    "Time from a GraphQL request's arrival to its answer, by operation and outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "regiongraph_graphql_requests_in_flight",
			Help: "GraphQL requests whose work is still running: from arrival until every computation they started has stopped, which may be after the answer (a timeout, a client gone).",
		}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_limit_rejections_total",
			Help: "Requests refused by a limit, by the limit's name (as in extensions.limit).",
		}, []string{"limit"}),
		storeCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_store_calls_total",
			Help: "Store calls by method and outcome (ok or the error code).",
		}, []string{"method", "outcome"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "regiongraph_store_call_duration_seconds",
			Help:    "Store call latency by method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_http_requests_total",
			Help: "HTTP requests by route and status code (499: the client went away before the answer).",
		}, []string{"route", "code"}),
		routes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_requests_total",
			Help: "Requests by route and outcome (ok, bad_request, unauthenticated, not_found, overloaded, timeout, client_closed, unavailable, internal, incomplete: a streamed export cut short).",
		}, []string{"route", "outcome"}),
		routeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "regiongraph_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		routeFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "regiongraph_requests_in_flight",
			Help: "Requests by route whose work is still running: from arrival until every computation they started has stopped, which may be after the answer. Each holds a place among -max-concurrent.",
		}, []string{"route"}),
		computing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "regiongraph_analyses_running",
			Help: "Analysis computations holding a place among -max-analysis-concurrent, until they have stopped.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regiongraph_analysis_results_total",
			Help: "Requests for a shared analysis result (map data, exports, briefs) by how it was found: hit (cached), shared (joined one computing), miss (computed).",
		}, []string{"result"}),
	}
	m.requestsBy = newChildren(func(k pair) prometheus.Counter { return m.requests.WithLabelValues(k.a, k.b) })
	m.latencyBy = newChildren(func(k pair) prometheus.Observer { return m.latency.WithLabelValues(k.a, k.b) })
	m.httpBy = newChildren(func(k routeCode) prometheus.Counter { return m.http.WithLabelValues(k.route, strconv.Itoa(k.code)) })
	m.routesBy = newChildren(func(k pair) prometheus.Counter { return m.routes.WithLabelValues(k.a, k.b) })
	m.routeLatencyBy = newChildren(func(k string) prometheus.Observer { return m.routeLatency.WithLabelValues(k) })
	m.routeFlightBy = newChildren(func(k string) prometheus.Gauge { return m.routeFlight.WithLabelValues(k) })
	m.storeCallsBy = newChildren(func(k pair) prometheus.Counter { return m.storeCalls.WithLabelValues(k.a, k.b) })
	m.storeLatencyBy = newChildren(func(k string) prometheus.Observer { return m.storeLatency.WithLabelValues(k) })
	m.reg.MustRegister(m.requests, m.latency, m.inFlight, m.rejections, m.storeCalls, m.storeLatency, m.http,
		m.routes, m.routeLatency, m.routeFlight, m.computing, m.cache,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request records one GraphQL request.
func (m *Metrics) Request(operation, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.requestsBy.get(pair{operation, outcome}).Inc()
	m.latencyBy.get(pair{operation, outcome}).Observe(d.Seconds())
}

// Rejected records a request refused by the named limit.
func (m *Metrics) Rejected(limit string) {
	if m == nil {
		return
	}
	m.rejections.WithLabelValues(limit).Inc()
}

// InFlight adds delta to the requests in flight.
func (m *Metrics) InFlight(delta int) {
	if m == nil {
		return
	}
	m.inFlight.Add(float64(delta))
}

// HTTP records an HTTP response on a route (a fixed name, not the path).
func (m *Metrics) HTTP(route string, code int) {
	if m == nil {
		return
	}
	m.httpBy.get(routeCode{route, code}).Inc()
}

// Route records one request on a route: its outcome, status and the time
// to its answer.
func (m *Metrics) Route(route, outcome string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.HTTP(route, status)
	m.routesBy.get(pair{route, outcome}).Inc()
	m.routeLatencyBy.get(route).Observe(d.Seconds())
}

// RouteInFlight adds delta to the requests in flight on route.
func (m *Metrics) RouteInFlight(route string, delta int) {
	if m == nil {
		return
	}
	m.routeFlightBy.get(route).Add(float64(delta))
}

// Computations adds delta to the analyses running.
func (m *Metrics) Computations(delta int) {
	if m == nil {
		return
	}
	m.computing.Add(float64(delta))
}

// Cached records how a shared analysis result was found.
func (m *Metrics) Cached(result string) {
	if m == nil {
		return
	}
	m.cache.WithLabelValues(result).Inc()
}

// storeCall records one store call.
func (m *Metrics) storeCall(method, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.storeCallsBy.get(pair{method, outcome}).Inc()
	m.storeLatencyBy.get(method).Observe(d.Seconds())
}

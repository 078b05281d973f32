package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the server's own Prometheus registry (never the global one,
// so several servers can live in one process, as in tests).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(store any) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_http_requests_total",
			Help: "HTTP requests served, by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if sr, ok := store.(StatsReporter); ok {
		m.reg.MustRegister(dbStatsCollector{sr})
	}
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// dbStatsCollector exports a StatsReporter's pool statistics.
type dbStatsCollector struct {
	sr StatsReporter
}

var (
	dbMaxOpen = prometheus.NewDesc("herald_db_max_open_connections", "Largest number of open connections allowed.", nil, nil)
	dbOpen    = prometheus.NewDesc("herald_db_open_connections", "Open connections, in use and idle.", nil, nil)
	dbInUse   = prometheus.NewDesc("herald_db_in_use_connections", "Connections in use.", nil, nil)
	dbIdle    = prometheus.NewDesc("herald_db_idle_connections", "Idle connections.", nil, nil)
	dbWaits   = prometheus.NewDesc("herald_db_wait_count_total", "Times a caller waited for a connection.", nil, nil)
	dbWaitDur = prometheus.NewDesc("herald_db_wait_duration_seconds_total", "Time spent waiting for connections.", nil, nil)
)

// Describe sends the descriptors of the pool metrics.
func (c dbStatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbMaxOpen, dbOpen, dbInUse, dbIdle, dbWaits, dbWaitDur} {
		ch <- d
	}
}

// Collect reads the pool statistics now.
func (c dbStatsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.sr.Stats()
	ch <- prometheus.MustNewConstMetric(dbMaxOpen, prometheus.GaugeValue, float64(st.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(dbOpen, prometheus.GaugeValue, float64(st.OpenConnections))
	ch <- prometheus.MustNewConstMetric(dbInUse, prometheus.GaugeValue, float64(st.InUse))
	ch <- prometheus.MustNewConstMetric(dbIdle, prometheus.GaugeValue, float64(st.Idle))
	ch <- prometheus.MustNewConstMetric(dbWaits, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(dbWaitDur, prometheus.CounterValue, st.WaitDuration.Seconds())
}

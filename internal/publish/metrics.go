package publish

import "github.com/prometheus/client_golang/prometheus"

// metrics are one dispatcher's Prometheus collectors (no global registry:
// the caller registers Collectors()).
type metrics struct {
	lateness      prometheus.Histogram
	outcomes      *prometheus.CounterVec
	oldestOverdue prometheus.Gauge
	inFlight      prometheus.Gauge
	tracked       prometheus.GaugeFunc
}

func newMetrics() *metrics {
	return &metrics{
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_publish_lateness_seconds",
			Help:    "How late publish calls start after their due time.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_publish_outcomes_total",
			Help: "Publish attempts by platform and outcome class.",
		}, []string{"platform", "outcome"}),
		oldestOverdue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "herald_publish_oldest_overdue_seconds",
			Help: "Age of the oldest due target not yet claimed.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "herald_publish_in_flight",
			Help: "Publish attempts in progress.",
		}),
	}
}

// withTracked adds the gauge of targets held by the timer.
func (m *metrics) withTracked(f func() float64) {
	m.tracked = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "herald_publish_tracked_targets",
		Help: "Targets due soon that the timer holds in memory.",
	}, f)
}

func (m *metrics) collectors() []prometheus.Collector {
	cs := []prometheus.Collector{m.lateness, m.outcomes, m.oldestOverdue, m.inFlight}
	if m.tracked != nil {
		cs = append(cs, m.tracked)
	}
	return cs
}

package jobs

import (
	"github.com/riverqueue/river"
)

// kinds lists Herald's job kinds with their workers and schedules.
func (r *Runner) kinds(d Deps) []kind {
	log := r.log
	ks := []kind{
		{
			name: RefreshTokensArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &refreshTokensWorker{cfg: r.cfg, store: d.Store, connectors: d.Connectors,
					keys: d.Keys, notifier: d.Notifier, clock: d.Clock, log: log})
			},
			every: r.cfg.RefreshEvery,
			args:  func() river.JobArgs { return RefreshTokensArgs{} },
		},
		{
			name: SweepSessionsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &sweepSessionsWorker{store: d.Store, clock: d.Clock, log: log})
			},
			every: r.cfg.SweepEvery,
			args:  func() river.JobArgs { return SweepSessionsArgs{} },
		},
		{
			name: PruneNotificationsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &pruneNotificationsWorker{store: d.Store, clock: d.Clock, log: log})
			},
			every: r.cfg.SweepEvery,
			args:  func() river.JobArgs { return PruneNotificationsArgs{} },
		},
		{
			name: PruneListenArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &pruneListenWorker{store: d.Store, clock: d.Clock, log: log})
			},
			every: r.cfg.SweepEvery,
			args:  func() river.JobArgs { return PruneListenArgs{} },
		},
	}
	if r.cfg.MetricsEvery > 0 {
		ks = append(ks, kind{
			name: CollectMetricsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &collectMetricsWorker{engage: r.engage(d)})
			},
			every: r.cfg.MetricsEvery,
			args:  func() river.JobArgs { return CollectMetricsArgs{} },
		})
	}
	if r.cfg.AudienceEvery > 0 {
		ks = append(ks, kind{
			name: SnapshotAccountsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &snapshotAccountsWorker{engage: r.engage(d)})
			},
			every: r.cfg.AudienceEvery,
			args:  func() river.JobArgs { return SnapshotAccountsArgs{} },
		})
	}
	if r.cfg.InboxEvery > 0 {
		ks = append(ks, kind{
			name: SyncInboxArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &syncInboxWorker{engage: r.engage(d)})
			},
			every: r.cfg.InboxEvery,
			args:  func() river.JobArgs { return SyncInboxArgs{} },
		})
	}
	if r.cfg.CheckEvery > 0 {
		ks = append(ks, kind{
			name: CheckInboxArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &checkInboxWorker{engage: r.engage(d)})
			},
			every: r.cfg.CheckEvery,
			args:  func() river.JobArgs { return CheckInboxArgs{} },
		})
	}
	if d.Extender != nil {
		ks = append(ks, kind{
			name: ExtendSeriesArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &extendSeriesWorker{extender: d.Extender, clock: d.Clock, log: log})
			},
			every: r.cfg.ExtendEvery,
			args:  func() river.JobArgs { return ExtendSeriesArgs{} },
		})
	}
	if d.Reports != nil {
		ks = append(ks, kind{
			name: SendReportsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &sendReportsWorker{reports: d.Reports, log: log})
			},
			every: r.cfg.ReportsEvery,
			args:  func() river.JobArgs { return SendReportsArgs{} },
		})
	}
	if d.Evergreen != nil {
		ks = append(ks, kind{
			name: RecycleEvergreenArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &recycleEvergreenWorker{recycler: d.Evergreen, clock: d.Clock, log: log})
			},
			every: r.cfg.EvergreenEvery,
			args:  func() river.JobArgs { return RecycleEvergreenArgs{} },
		})
	}
	if d.Feeds != nil {
		ks = append(ks, kind{
			name: PollFeedsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &pollFeedsWorker{feeds: d.Feeds, clock: d.Clock, log: log})
			},
			every: r.cfg.FeedsEvery,
			args:  func() river.JobArgs { return PollFeedsArgs{} },
		})
	}
	if d.Webhooks != nil {
		ks = append(ks, kind{
			name: DeliverWebhookArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &deliverWebhookWorker{webhooks: d.Webhooks, clock: d.Clock})
			},
		}, kind{
			name: SweepWebhooksArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &sweepWebhooksWorker{webhooks: d.Webhooks, clock: d.Clock, log: log})
			},
			every: r.cfg.WebhookSweepEvery,
			args:  func() river.JobArgs { return SweepWebhooksArgs{} },
		})
	}
	if d.Tasks != nil {
		ks = append(ks, kind{
			name: NotifyTasksDueArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &notifyTasksDueWorker{tasks: d.Tasks, log: log})
			},
			every: r.cfg.TasksEvery,
			args:  func() river.JobArgs { return NotifyTasksDueArgs{} },
		})
	}
	if d.Replies != nil {
		ks = append(ks, kind{
			name: SettleRepliesArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &settleRepliesWorker{replies: d.Replies, log: log})
			},
			every: r.cfg.RepliesEvery,
			args:  func() river.JobArgs { return SettleRepliesArgs{} },
		})
	}
	if d.Overdue != nil {
		ks = append(ks, kind{
			name: InboxOverdueArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &inboxOverdueWorker{overdue: d.Overdue, clock: d.Clock, log: log})
			},
			every: r.cfg.OverdueEvery,
			args:  func() river.JobArgs { return InboxOverdueArgs{} },
		})
	}
	if d.Crisis != nil {
		ks = append(ks, kind{
			name: CheckCrisisArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &checkCrisisWorker{crisis: d.Crisis})
			},
			every: r.cfg.CrisisEvery,
			args:  func() river.JobArgs { return CheckCrisisArgs{} },
		})
	}
	if d.Competitors != nil {
		ks = append(ks, kind{
			name: CollectCompetitorsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &collectCompetitorsWorker{competitors: d.Competitors, log: log})
			},
			every: CompetitorsEvery,
			args:  func() river.JobArgs { return CollectCompetitorsArgs{} },
		})
	}
	if d.Listen != nil {
		ks = append(ks, kind{
			name: RefreshListenTermsArgs{}.Kind(),
			add: func(w *river.Workers) {
				river.AddWorker(w, &refreshListenTermsWorker{listen: d.Listen})
			},
			every: r.cfg.ListenTermsEvery,
			args:  func() river.JobArgs { return RefreshListenTermsArgs{} },
		})
	}
	return ks
}

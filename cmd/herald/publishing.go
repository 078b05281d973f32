package main

import (
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
)

// PublishingCmd pauses, resumes or reports publishing for the whole
// installation (every workspace), as an administrator on the server.
type PublishingCmd struct {
	Pause  PublishingPauseCmd  `cmd:"" help:"Pause publishing for every workspace: nothing is published until resumed."`
	Resume PublishingResumeCmd `cmd:"" help:"Resume publishing for every workspace; targets whose time passed are published at once."`
	Status PublishingStatusCmd `cmd:"" help:"Say whether publishing is paused for the installation."`
}

// PublishingPauseCmd pauses installation-wide publishing.
type PublishingPauseCmd struct {
	DBFlags
}

// Run pauses publishing for the installation.
func (c *PublishingPauseCmd) Run(env *Env) error { return setInstallationPaused(env, c.DBFlags, true) }

// PublishingResumeCmd resumes installation-wide publishing.
type PublishingResumeCmd struct {
	DBFlags
}

// Run resumes publishing for the installation.
func (c *PublishingResumeCmd) Run(env *Env) error {
	return setInstallationPaused(env, c.DBFlags, false)
}

// setInstallationPaused pauses or resumes publishing for the installation,
// with an installation-wide audit entry.
func setInstallationPaused(env *Env, flags DBFlags, pause bool) error {
	cfg, err := config.LoadWith(env.Environ, flags.overrides())
	if err != nil {
		return err
	}
	st, err := openStore(env.Ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	before, err := st.PublishingPaused(env.Ctx, 0)
	if err != nil {
		return err
	}
	if (before != nil) == pause {
		return printPublishing(env, before)
	}
	now := herald.SystemClock{}.Now()
	var at *time.Time
	action := "publishing.resume"
	if pause {
		at, action = &now, "publishing.pause"
	}
	if err := st.SetPublishingPaused(env.Ctx, 0, at); err != nil {
		return err
	}
	// Installation-wide entries have no workspace and no user: the
	// administrator acted on the server itself.
	e := herald.NewAudit(herald.Actor{}, action, "installation", 0,
		map[string]any{"publishing_paused_at": before}, map[string]any{"publishing_paused_at": at}, now)
	if err := st.AppendAudit(env.Ctx, &e); err != nil {
		return fmt.Errorf("publishing was changed, but the audit entry was not written: %w", err)
	}
	return printPublishing(env, at)
}

// PublishingStatusCmd reports installation-wide publishing.
type PublishingStatusCmd struct {
	DBFlags
}

// Run prints whether publishing is paused for the installation.
func (c *PublishingStatusCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	st, err := openStore(env.Ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	at, err := st.PublishingPaused(env.Ctx, 0)
	if err != nil {
		return err
	}
	return printPublishing(env, at)
}

func printPublishing(env *Env, pausedAt *time.Time) error {
	if pausedAt == nil {
		_, err := fmt.Fprintln(env.Stdout, "Publishing is on for the installation.")
		return err
	}
	_, err := fmt.Fprintf(env.Stdout, "Publishing is paused for the installation since %s.\n", pausedAt.UTC().Format(time.RFC3339))
	return err
}

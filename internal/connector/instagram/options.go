package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
)

// Options of an Instagram post.
const (
	// OptionStory publishes the single image or video as a story ("true").
	OptionStory = "story"
	// OptionCollaborators are up to MaxCollaborators usernames, separated
	// by commas, invited to co-author the post (collaborators).
	OptionCollaborators = "collaborators"
	// OptionLocation is the id of a Facebook Page with a location, shown
	// as the post's place (location_id).
	OptionLocation = "location_id"
)

// MaxCollaborators is how many collaborators a post can invite through the
// API (IG User Media, collaborators).
const MaxCollaborators = 3

// usernameRE is an Instagram username: letters, digits, periods and
// underscores, at most 30.
var usernameRE = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)

// OptionFields are the composer's options for an Instagram post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{
		{Key: OptionStory, Label: "Publish as a story", Kind: connector.OptionCheckbox,
			Hint: "One image or video, shown for 24 hours; the caption is not shown."},
		{Key: OptionCollaborators, Label: "Collaborators", Kind: connector.OptionText, MaxLen: 100,
			Hint: "Up to 3 Instagram usernames, separated by commas. Each is invited to co-author the post; " +
				"once they accept, it shows on their profile too. Not for stories."},
		{Key: OptionLocation, Label: "Location (Page id)", Kind: connector.OptionText, MaxLen: 30,
			Hint: "The id of a Facebook Page that has an address (a shop, a venue): Instagram shows its place on the post. Not for stories."},
	}, nil
}

// collaborators reads the collaborators option: usernames without @,
// in the order typed, duplicates dropped.
func collaborators(p connector.Part) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(p.Options[OptionCollaborators], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		u := strings.TrimPrefix(f, "@")
		if u == "" || seen[strings.ToLower(u)] {
			continue
		}
		seen[strings.ToLower(u)] = true
		out = append(out, u)
	}
	return out
}

// optionProblems checks the post's options.
func optionProblems(p connector.Part) []connector.Problem {
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	story := p.Options[OptionStory] == "true"
	if story && len(p.Media) > 1 {
		add("options."+OptionStory, "takes one image or video")
	}
	if p.Comment {
		return probs
	}
	if users := collaborators(p); len(users) > 0 {
		switch {
		case story:
			add("options."+OptionCollaborators, "cannot go with a story: Instagram invites collaborators to feed posts, carousels and reels")
		case len(users) > MaxCollaborators:
			add("options."+OptionCollaborators, "names %d accounts; Instagram takes at most %d collaborators through its API", len(users), MaxCollaborators)
		}
		for _, u := range users {
			if !usernameRE.MatchString(u) {
				add("options."+OptionCollaborators, "%q is not an Instagram username (letters, digits, periods and underscores, at most 30)", u)
			}
		}
	}
	if loc := strings.TrimSpace(p.Options[OptionLocation]); loc != "" {
		switch {
		case story:
			add("options."+OptionLocation, "cannot go with a story through Instagram's API")
		case strings.Trim(loc, "0123456789") != "":
			add("options."+OptionLocation, "must be the numeric id of a Facebook Page with an address, not %q", loc)
		}
	}
	return probs
}

// setOptions adds the post's collaborators and location to its container.
func setOptions(form url.Values, p connector.Part) error {
	if probs := optionProblems(p); len(probs) > 0 {
		return invalid(probs[0].Field + " " + probs[0].Problem)
	}
	if users := collaborators(p); len(users) > 0 {
		b, err := json.Marshal(users)
		if err != nil {
			return fmt.Errorf("instagram: collaborators: %w", err)
		}
		form.Set("collaborators", string(b))
	}
	if loc := strings.TrimSpace(p.Options[OptionLocation]); loc != "" {
		form.Set("location_id", loc)
	}
	return nil
}

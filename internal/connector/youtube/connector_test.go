package youtube

import (
	"testing"

	"github.com/heraldsocial/herald/internal/connector/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		video, thumb := videoFile(300<<10), pngFile()
		return conformance.Setup{Connector: withCheckpoints(e.c), Fake: fake{e}, Image: &video, Second: &thumb,
			MediaRequired: true, Options: map[string]string{OptionTitle: "Conformance"}}
	})
}

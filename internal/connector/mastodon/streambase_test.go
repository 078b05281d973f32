package mastodon

import "testing"

func TestStreamingBase(t *testing.T) {
	for in, want := range map[string]string{"wss://streaming.example/": "https://streaming.example",
		"ws://127.0.0.1:9": "http://127.0.0.1:9", "https://x.example": "https://x.example"} {
		if got := streamingBase(in); got != want {
			t.Errorf("streamingBase(%q) = %q, want %q", in, got, want)
		}
	}
}

package blueskyfake

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	"github.com/rivo/uniseg"
)

// stored is one record in a repository.
type stored struct {
	uri       string
	cid       string
	value     json.RawMessage
	indexedAt time.Time
}

// repo is one account's records and blobs.
type repo struct {
	records map[string]map[string]*stored // collection → rkey → record
	blobs   map[string]blob               // by CID
}

type blob struct {
	mime string
	size int64
}

func newRepo() *repo {
	return &repo{records: map[string]map[string]*stored{}, blobs: map[string]blob{}}
}

func (r *repo) collection(name string) map[string]*stored {
	c, ok := r.records[name]
	if !ok {
		c = map[string]*stored{}
		r.records[name] = c
	}
	return c
}

// makeCID returns a CIDv1 of data with the given codec.
func makeCID(codec uint64, data []byte) string {
	sum := sha256.Sum256(data)
	mh, _ := multihash.Encode(sum[:], multihash.SHA2_256) // SHA2_256 with 32 bytes always encodes
	return cid.NewCidV1(codec, mh).String()
}

// recordCID is the CID of a record's canonical JSON (keys sorted), so the
// same record always has the same CID.
func recordCID(value json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(value, &v); err != nil {
		return "", err
	}
	canon, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return makeCID(cid.DagCBOR, canon), nil
}

// Record returns a stored record's JSON by AT URI, and whether it exists.
func (s *Server) Record(uri string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.lookup(uri)
	if !ok {
		return nil, false
	}
	return rec.value, true
}

// Records returns the AT URIs of an account's records in a collection,
// in record-key order.
func (s *Server) Records(did, collection string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, ok := s.repos[did]
	if !ok {
		return nil
	}
	var out []string
	for _, rec := range rp.collection(collection) {
		out = append(out, rec.uri)
	}
	sort.Strings(out)
	return out
}

// lookup finds a record by AT URI; the lock is held.
func (s *Server) lookup(uri string) (*stored, bool) {
	u, err := syntax.ParseATURI(uri)
	if err != nil {
		return nil, false
	}
	did := u.Authority().String()
	if !strings.HasPrefix(did, "did:") {
		did = s.handles[strings.ToLower(did)]
	}
	rp, ok := s.repos[did]
	if !ok {
		return nil, false
	}
	rec, ok := rp.collection(u.Collection().String())[u.RecordKey().String()]
	return rec, ok
}

func (s *Server) uploadBlob(w http.ResponseWriter, r *http.Request) {
	did := s.auth(w, r, false)
	if did == "" {
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	data, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBlobBytes+1))
	if err != nil {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "could not read the body: "+err.Error())
		return
	}
	if int64(len(data)) > s.cfg.MaxBlobBytes {
		xerr(w, http.StatusBadRequest, "BlobTooLarge", fmt.Sprintf("This file is too large. It is %d bytes but the maximum size is %d bytes.", len(data), s.cfg.MaxBlobBytes))
		return
	}
	if ct == "" || ct == "*/*" {
		ct = http.DetectContentType(data)
	}
	ref := makeCID(cid.Raw, data)
	s.mu.Lock()
	s.repos[did].blobs[ref] = blob{mime: ct, size: int64(len(data))}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": ref}, "mimeType": ct, "size": len(data)}})
}

// writeInput is the input of createRecord, putRecord and deleteRecord.
type writeInput struct {
	Repo       string          `json:"repo"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Validate   *bool           `json:"validate"`
	Record     json.RawMessage `json:"record"`
	SwapRecord json.RawMessage `json:"swapRecord"` // absent, null or a CID
}

// repoOf checks that the caller writes to its own repository.
func (s *Server) repoOf(w http.ResponseWriter, caller, repoID string) bool {
	s.mu.Lock()
	a, ok := s.actorRef(repoID)
	s.mu.Unlock()
	if !ok || a.did != caller {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Invalid repo: "+repoID)
		return false
	}
	return true
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) {
	s.write(w, r, false)
}

func (s *Server) putRecord(w http.ResponseWriter, r *http.Request) {
	s.write(w, r, true)
}

// write carries out createRecord (put false) and putRecord (put true).
func (s *Server) write(w http.ResponseWriter, r *http.Request, put bool) {
	did := s.auth(w, r, false)
	if did == "" {
		return
	}
	var in writeInput
	if !decode(w, r, &in) || !s.repoOf(w, did, in.Repo) {
		return
	}
	nsid, err := syntax.ParseNSID(in.Collection)
	if err != nil {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Invalid collection: "+in.Collection)
		return
	}
	if in.RKey == "" {
		if put {
			xerr(w, http.StatusBadRequest, "InvalidRequest", `Input must have the property "rkey"`)
			return
		}
		in.RKey = syntax.NewTIDNow(0).String()
	}
	if _, err := syntax.ParseTID(in.RKey); err != nil && strings.HasPrefix(in.Collection, "app.bsky.feed.") {
		xerr(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Invalid record key for %s: Invalid TID string (got %q) at $", in.Collection, in.RKey))
		return
	}
	s.mu.Lock()
	problem := s.validate(did, nsid.String(), in.Record)
	s.mu.Unlock()
	if problem != "" {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Invalid "+in.Collection+" record: "+problem)
		return
	}
	c, err := recordCID(in.Record)
	if err != nil {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Invalid record: "+err.Error())
		return
	}
	uri := "at://" + did + "/" + in.Collection + "/" + in.RKey
	swapNull := string(in.SwapRecord) == "null"
	s.mu.Lock()
	coll := s.repos[did].collection(in.Collection)
	old, exists := coll[in.RKey]
	var status int
	var name, msg string
	switch {
	case exists && !put:
		// What the reference PDS does for createRecord on a taken key.
		status, name, msg = http.StatusInternalServerError, "InternalServerError", "Internal Server Error"
	case exists && old.cid == c:
		// A no-op: the same record again.
	case exists && swapNull, exists && len(in.SwapRecord) > 0 && string(in.SwapRecord) != `"`+old.cid+`"`:
		status, name, msg = http.StatusBadRequest, "InvalidSwap", "Record was at "+old.cid
	case !exists && len(in.SwapRecord) > 0 && !swapNull:
		status, name, msg = http.StatusBadRequest, "InvalidSwap", "Record was at null"
	default:
		cost := 3
		if exists {
			cost = 2
		}
		if !s.takeLocked(w, "write:"+did, cost, s.cfg.WritePoints, time.Hour) {
			status, name, msg = http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded"
			break
		}
		rec := &stored{uri: uri, cid: c, value: in.Record, indexedAt: s.cfg.Now().UTC()}
		coll[in.RKey] = rec
		if !exists {
			s.notify(did, in.Collection, rec)
		}
	}
	s.mu.Unlock()
	if status != 0 {
		xerr(w, status, name, msg)
		return
	}
	writeJSON(w, map[string]any{"uri": uri, "cid": c, "validationStatus": "valid"})
}

func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request) {
	did := s.auth(w, r, false)
	if did == "" {
		return
	}
	var in writeInput
	if !decode(w, r, &in) || !s.repoOf(w, did, in.Repo) {
		return
	}
	if !s.take(w, "write:"+did, 1, s.cfg.WritePoints, time.Hour) {
		return
	}
	s.mu.Lock()
	delete(s.repos[did].collection(in.Collection), in.RKey)
	s.mu.Unlock()
	writeJSON(w, map[string]any{})
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	uri := "at://" + q.Get("repo") + "/" + q.Get("collection") + "/" + q.Get("rkey")
	s.mu.Lock()
	rec, ok := s.lookup(uri)
	s.mu.Unlock()
	if !ok {
		xerr(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record: "+uri)
		return
	}
	writeJSON(w, map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.value})
}

// postRecord is the part of app.bsky.feed.post the fake checks.
type postRecord struct {
	Type      string  `json:"$type"`
	Text      *string `json:"text"`
	CreatedAt string  `json:"createdAt"`
	Langs     []string
	Facets    []struct {
		Index *struct {
			ByteStart int `json:"byteStart"`
			ByteEnd   int `json:"byteEnd"`
		} `json:"index"`
		Features []struct {
			Type string `json:"$type"`
			DID  string `json:"did"`
			URI  string `json:"uri"`
			Tag  string `json:"tag"`
		} `json:"features"`
	} `json:"facets"`
	Reply *struct {
		Root   *ref `json:"root"`
		Parent *ref `json:"parent"`
	} `json:"reply"`
	Embed *postEmbed `json:"embed"`
}

// postEmbed is a post's embed: images, a link card, a quoted post
// (app.bsky.embed.record) or a quoted post with images or a link card of
// its own (app.bsky.embed.recordWithMedia, the media in Media).
type postEmbed struct {
	Type   string `json:"$type"`
	Images []struct {
		Alt   *string   `json:"alt"`
		Image *blobJSON `json:"image"`
	} `json:"images"`
	External *struct {
		URI         string    `json:"uri"`
		Title       *string   `json:"title"`
		Description *string   `json:"description"`
		Thumb       *blobJSON `json:"thumb"`
	} `json:"external"`
	// Record is the quoted post's strongRef in app.bsky.embed.record, and
	// an app.bsky.embed.record holding it in app.bsky.embed.recordWithMedia.
	Record json.RawMessage `json:"record"`
	Media  *postEmbed      `json:"media"`
}

// quoted returns the post the embed quotes, with or without media of its
// own, as the AppView counts quotes; nil when it quotes none.
func (e *postEmbed) quoted() *ref {
	if e == nil {
		return nil
	}
	var r ref
	switch e.Type {
	case "app.bsky.embed.record":
		if json.Unmarshal(e.Record, &r) != nil {
			return nil
		}
	case "app.bsky.embed.recordWithMedia":
		var inner struct {
			Record ref `json:"record"`
		}
		if json.Unmarshal(e.Record, &inner) != nil {
			return nil
		}
		r = inner.Record
	}
	if r.URI == "" {
		return nil
	}
	return &r
}

type ref struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type blobJSON struct {
	Type string `json:"$type"`
	Ref  struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
	Size     int64  `json:"size"`
}

// validate checks a record against its lexicon's rules that matter to
// Herald; "" when it passes. The lock is held.
func (s *Server) validate(did, collection string, value json.RawMessage) string {
	var typ struct {
		Type string `json:"$type"`
	}
	if err := json.Unmarshal(value, &typ); err != nil {
		return "Record must be an object"
	}
	if typ.Type != collection {
		return fmt.Sprintf("Record/$type must be %s", collection)
	}
	switch collection {
	case "app.bsky.feed.post":
		return s.validatePost(did, value)
	case "app.bsky.feed.like", "app.bsky.feed.repost":
		var v struct {
			Subject   *ref   `json:"subject"`
			CreatedAt string `json:"createdAt"`
		}
		if json.Unmarshal(value, &v) != nil || v.Subject == nil || v.Subject.URI == "" || v.Subject.CID == "" {
			return `Record must have the property "subject" with uri and cid`
		}
		if _, err := syntax.ParseDatetime(v.CreatedAt); err != nil {
			return "Record/createdAt must be an valid atproto datetime"
		}
	case "app.bsky.graph.follow":
		var v struct {
			Subject   string `json:"subject"`
			CreatedAt string `json:"createdAt"`
		}
		if json.Unmarshal(value, &v) != nil {
			return `Record/subject must be a string`
		}
		if _, err := syntax.ParseDID(v.Subject); err != nil {
			return "Record/subject must be a valid did"
		}
		if _, err := syntax.ParseDatetime(v.CreatedAt); err != nil {
			return "Record/createdAt must be an valid atproto datetime"
		}
	}
	return ""
}

func (s *Server) validatePost(did string, value json.RawMessage) string {
	var p postRecord
	if err := json.Unmarshal(value, &p); err != nil {
		return "Record is not a post: " + err.Error()
	}
	if p.Text == nil {
		return `Record must have the property "text"`
	}
	text := *p.Text
	if len(text) > 3000 {
		return "Record/text must not be longer than 3000 characters"
	}
	if uniseg.GraphemeClusterCount(text) > 300 {
		return "Record/text must not be longer than 300 graphemes"
	}
	if _, err := syntax.ParseDatetime(p.CreatedAt); err != nil {
		return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
	}
	if len(p.Langs) > 3 {
		return "Record/langs must not have more than 3 elements"
	}
	for i, f := range p.Facets {
		if f.Index == nil || f.Index.ByteStart < 0 || f.Index.ByteEnd <= f.Index.ByteStart || f.Index.ByteEnd > len(text) {
			return fmt.Sprintf("Record/facets/%d/index is out of the text's range", i)
		}
		if len(f.Features) == 0 {
			return fmt.Sprintf(`Record/facets/%d must have the property "features"`, i)
		}
		for _, ft := range f.Features {
			switch ft.Type {
			case "app.bsky.richtext.facet#mention":
				if _, err := syntax.ParseDID(ft.DID); err != nil {
					return fmt.Sprintf("Record/facets/%d/features/0/did must be a valid did", i)
				}
			case "app.bsky.richtext.facet#link":
				if _, err := syntax.ParseURI(ft.URI); err != nil {
					return fmt.Sprintf("Record/facets/%d/features/0/uri must be a uri", i)
				}
			case "app.bsky.richtext.facet#tag":
				if ft.Tag == "" || len(ft.Tag) > 640 {
					return fmt.Sprintf("Record/facets/%d/features/0/tag must be 1 to 640 bytes", i)
				}
			}
		}
	}
	if p.Reply != nil {
		if p.Reply.Root == nil || p.Reply.Parent == nil || p.Reply.Root.CID == "" || p.Reply.Parent.CID == "" {
			return `Record/reply must have the properties "root" and "parent", each with uri and cid`
		}
	}
	if p.Embed != nil {
		return s.checkEmbed(did, p.Embed, "Record/embed")
	}
	return ""
}

// checkEmbed checks a post's embed (at path in the record, for the
// messages) as the PDS does for the types the fake knows: the embed union
// of app.bsky.feed.post, and in app.bsky.embed.recordWithMedia a media
// union of images or a link card. The lock is held.
func (s *Server) checkEmbed(did string, e *postEmbed, path string) string {
	switch e.Type {
	case "app.bsky.embed.images":
		if len(e.Images) == 0 || len(e.Images) > 4 {
			return path + "/images must have 1 to 4 elements"
		}
		for i, img := range e.Images {
			if img.Alt == nil {
				return fmt.Sprintf(`%s/images/%d must have the property "alt"`, path, i)
			}
			if msg := s.checkBlob(did, img.Image, s.cfg.MaxImageBytes); msg != "" {
				return fmt.Sprintf("%s/images/%d/image %s", path, i, msg)
			}
		}
	case "app.bsky.embed.external":
		if e.External == nil || e.External.URI == "" || e.External.Title == nil || e.External.Description == nil {
			return path + `/external must have the properties "uri", "title" and "description"`
		}
		if e.External.Thumb != nil {
			if msg := s.checkBlob(did, e.External.Thumb, 1_000_000); msg != "" {
				return path + "/external/thumb " + msg
			}
		}
	case "app.bsky.embed.record":
		if r := e.quoted(); r == nil || r.CID == "" {
			return path + `/record must have the properties "uri" and "cid"`
		}
	case "app.bsky.embed.recordWithMedia":
		if r := e.quoted(); r == nil || r.CID == "" {
			return path + `/record/record must have the properties "uri" and "cid"`
		}
		if e.Media == nil {
			return path + ` must have the property "media"`
		}
		if t := e.Media.Type; t != "app.bsky.embed.images" && t != "app.bsky.embed.external" {
			return fmt.Sprintf("%s/media $type %q is not supported by the fake", path, t)
		}
		return s.checkEmbed(did, e.Media, path+"/media")
	default:
		return fmt.Sprintf("%s $type %q is not supported by the fake", path, e.Type)
	}
	return ""
}

// checkBlob checks that a blob reference names an upload of this account.
func (s *Server) checkBlob(did string, b *blobJSON, maxSize int64) string {
	if b == nil || b.Type != "blob" || b.Ref.Link == "" {
		return "must be a blob"
	}
	got, ok := s.repos[did].blobs[b.Ref.Link]
	if !ok {
		return "refers to a blob that was never uploaded (BlobNotFound)"
	}
	if got.size > maxSize {
		return fmt.Sprintf("is too big: %d bytes, at most %d", got.size, maxSize)
	}
	if !strings.HasPrefix(got.mime, "image/") {
		return fmt.Sprintf("has the type %s, not an image", got.mime)
	}
	return ""
}

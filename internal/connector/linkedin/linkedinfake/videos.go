package linkedinfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultVideoPartSize is the size of each part LinkedIn asks for in a
// video's uploadInstructions (4 MiB; the last part takes what is left).
const DefaultVideoPartSize = 4 << 20

// Video is an uploaded video as the fake keeps it.
type Video struct {
	URN    string
	Owner  string
	Size   int64
	Status string // WAITING_UPLOAD, PROCESSING, AVAILABLE, PROCESSING_FAILED
	Parts  [][2]int64
	ETags  []string // per part, "" until it is uploaded
	Data   []byte
	polls  int // reads left before PROCESSING becomes AVAILABLE
}

func (s *Server) videoRoutes() {
	s.handle("POST /rest/videos", true, s.videoAction)
	s.handle("GET /rest/videos/{urn}", true, s.getVideo)
	// Upload addresses are pre-signed: no token, no versioned headers.
	s.handle("PUT /video-upload/{id}/{part}", false, s.uploadVideoPart)
}

func (s *Server) videoAction(w http.ResponseWriter, r *http.Request, person string) {
	switch r.URL.Query().Get("action") {
	case "initializeUpload":
		s.initializeVideo(w, r, person)
	case "finalizeUpload":
		s.finalizeVideo(w, r, person)
	default:
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "expected action=initializeUpload or action=finalizeUpload")
	}
}

func (s *Server) initializeVideo(w http.ResponseWriter, r *http.Request, person string) {
	var rq struct {
		InitializeUploadRequest *struct {
			Owner           string `json:"owner"`
			FileSizeBytes   int64  `json:"fileSizeBytes"`
			UploadCaptions  bool   `json:"uploadCaptions"`
			UploadThumbnail bool   `json:"uploadThumbnail"`
		} `json:"initializeUploadRequest"`
	}
	if json.NewDecoder(r.Body).Decode(&rq) != nil || rq.InitializeUploadRequest == nil {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "expected initializeUploadRequest")
		return
	}
	in := rq.InitializeUploadRequest
	if in.FileSizeBytes < 75<<10 || in.FileSizeBytes > 500<<20 {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "fileSizeBytes must be between 75 KB and 500 MB")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canAct(person, in.Owner) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Accessing this video resource is forbidden. Please check your permissions for this resource")
		return
	}
	id := "C5F10AQ" + s.id()
	v := &Video{URN: "urn:li:video:" + id, Owner: in.Owner, Size: in.FileSizeBytes, Status: "WAITING_UPLOAD"}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	part := int64(s.VideoPartSize)
	if part <= 0 {
		part = DefaultVideoPartSize
	}
	var instructions []map[string]any
	for first := int64(0); first < v.Size; first += part {
		last := min(first+part, v.Size) - 1
		v.Parts = append(v.Parts, [2]int64{first, last})
		instructions = append(instructions, map[string]any{"firstByte": first, "lastByte": last,
			"uploadUrl": scheme + "://" + r.Host + "/video-upload/" + id + "/" + strconv.Itoa(len(v.Parts)-1)})
	}
	v.ETags = make([]string, len(v.Parts))
	v.Data = make([]byte, v.Size)
	s.videos[v.URN] = v
	writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlsExpireAt": s.now().Add(24 * time.Hour).UnixMilli(), "video": v.URN,
		"uploadInstructions": instructions, "uploadToken": ""}})
}

func (s *Server) uploadVideoPart(w http.ResponseWriter, r *http.Request, _ string) {
	b, err := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos["urn:li:video:"+r.PathValue("id")]
	n, perr := strconv.Atoi(r.PathValue("part"))
	if !ok || perr != nil || n < 0 || n >= len(v.Parts) || err != nil {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	first, last := v.Parts[n][0], v.Parts[n][1]
	if int64(len(b)) != last-first+1 {
		s.violate("PUT video part %d: %d bytes, the instructions asked for bytes %d to %d", n, len(b), first, last)
		http.Error(w, "the part's size is not the one given in uploadInstructions", http.StatusBadRequest)
		return
	}
	copy(v.Data[first:], b)
	v.ETags[n] = "/ambry-video/signedId/" + strconv.Itoa(n) + "-" + s.id()
	w.Header().Set("ETag", v.ETags[n])
	w.WriteHeader(http.StatusOK)
}

func (s *Server) finalizeVideo(w http.ResponseWriter, r *http.Request, person string) {
	var rq struct {
		FinalizeUploadRequest *struct {
			Video           string   `json:"video"`
			UploadToken     *string  `json:"uploadToken"`
			UploadedPartIDs []string `json:"uploadedPartIds"`
		} `json:"finalizeUploadRequest"`
	}
	if json.NewDecoder(r.Body).Decode(&rq) != nil || rq.FinalizeUploadRequest == nil {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "expected finalizeUploadRequest")
		return
	}
	f := rq.FinalizeUploadRequest
	if f.UploadToken == nil {
		s.violate("finalizeUpload without uploadToken (send the one initializeUpload gave, even empty)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[f.Video]
	if !ok || !s.canAct(person, v.Owner) {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "no video "+f.Video)
		return
	}
	if strings.Join(f.UploadedPartIDs, "\n") != strings.Join(v.ETags, "\n") {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "uploadedPartIds must be every part's ETag, in the order of the uploadInstructions")
		return
	}
	v.Status, v.polls = "PROCESSING", s.VideoProcessingPolls
	if v.polls == 0 {
		v.Status = "AVAILABLE"
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) getVideo(w http.ResponseWriter, r *http.Request, person string) {
	urn, _ := url.PathUnescape(r.PathValue("urn"))
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[urn]
	if !ok || !s.canAct(person, v.Owner) {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "no video "+urn)
		return
	}
	if v.Status == "PROCESSING" {
		if v.polls--; v.polls <= 0 {
			v.Status = "AVAILABLE"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": v.URN, "owner": v.Owner, "status": v.Status})
}

// FailVideo makes a video's processing fail, as LinkedIn does for a file
// it cannot read.
func (s *Server) FailVideo(urn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.videos[urn]; ok {
		v.Status = "PROCESSING_FAILED"
	}
}

// Videos returns the uploaded videos.
func (s *Server) Videos() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Video, 0, len(s.videos))
	for _, v := range s.videos {
		out = append(out, *v)
	}
	return out
}

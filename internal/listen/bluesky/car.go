package bluesky

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// maxCARHeader bounds the CAR header: it holds a version and a root or two.
const maxCARHeader = 1 << 16

// readCARBlocks reads a CAR v1 file (the "blocks" of a firehose commit: a
// header, then sections of a varint length, a CID and the block's bytes)
// and returns its blocks by CID. Each block's bytes are checked against its
// CID's hash, so a corrupt slice cannot pass off wrong data as a record.
// The header's roots are not needed to find records and are not read.
func readCARBlocks(b []byte) (map[cid.Cid][]byte, error) {
	hlen, n := binary.Uvarint(b)
	if n <= 0 || hlen == 0 || hlen > maxCARHeader || hlen > uint64(len(b)-n) {
		return nil, errors.New("car: bad header length")
	}
	if b[n]>>5 != 5 { // the header is a CBOR map
		return nil, errors.New("car: header is not a map")
	}
	b = b[n+int(hlen):]
	blocks := make(map[cid.Cid][]byte)
	for len(b) > 0 {
		slen, n := binary.Uvarint(b)
		if n <= 0 || slen == 0 || slen > uint64(len(b)-n) {
			return nil, errors.New("car: bad section length")
		}
		sec := b[n : n+int(slen)]
		b = b[n+int(slen):]
		clen, c, err := cid.CidFromBytes(sec)
		if err != nil {
			return nil, fmt.Errorf("car: section cid: %w", err)
		}
		data := sec[clen:]
		sum, err := c.Prefix().Sum(data)
		if err != nil {
			return nil, fmt.Errorf("car: block %s: %w", c, err)
		}
		if !sum.Equals(c) {
			return nil, fmt.Errorf("car: block %s does not match its hash", c)
		}
		blocks[c] = data
	}
	return blocks, nil
}

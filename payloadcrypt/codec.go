package payloadcrypt

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// Payload metadata of an encrypted payload.
const (
	// MetadataEncodingEncrypted is the encoding of an encrypted payload (as samples-go).
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the data key ("app/<id>", "tenant/<id>", "system").
	MetadataKeyID = "encryption-key-id"
	// MetadataCipher says how: AES-256-GCM of the zlib-compressed, marshalled original payload.
	MetadataCipher = "encryption-cipher"
	cipherName     = "AES256-GCM+zlib"
)

// maxDecoded bounds the decompressed size of one payload (Temporal refuses payloads over
// 2 MB by default; a forged one must not inflate without bound).
const maxDecoded = 16 << 20

// Codec is a converter.PayloadCodec encrypting under the data key of its scope. Decoding uses
// the key named in each payload's metadata, whatever the scope.
type Codec struct {
	keys  *Keys
	scope Scope
}

// NewCodec returns a codec encrypting under scope's key.
func NewCodec(keys *Keys, scope Scope) *Codec { return &Codec{keys: keys, scope: scope} }

var (
	_ converter.PayloadCodec                         = (*Codec)(nil)
	_ converter.PayloadCodecWithSerializationContext = (*Codec)(nil)
)

// WithSerializationContext implements converter.PayloadCodecWithSerializationContext: the
// workflow id in the SDK's context names the application (see the package comment).
func (c *Codec) WithSerializationContext(sc converter.SerializationContext) converter.PayloadCodec {
	if s, ok := scopeOfSerializationContext(sc); ok {
		return &Codec{keys: c.keys, scope: s}
	}
	return c
}

// Encode implements converter.PayloadCodec.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if len(payloads) == 0 {
		return payloads, nil
	}
	ctx, cancel := c.keys.context()
	defer cancel()
	keyID, aead, err := c.keys.forEncrypt(ctx, c.scope)
	if err != nil {
		return payloads, fmt.Errorf("payloadcrypt: encrypting under %s: %w", c.scope.KeyID(), err)
	}
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return payloads, err
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		_, _ = zw.Write(plain)
		if err := zw.Close(); err != nil {
			return payloads, err
		}
		sealed, err := seal(aead, z.Bytes(), []byte(keyID))
		if err != nil {
			return payloads, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataKeyID:              []byte(keyID),
				MetadataCipher:             []byte(cipherName),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec. Unencrypted payloads pass through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	ctx, cancel := c.keys.context()
	defer cancel()
	for i, p := range payloads {
		if !Encrypted(p) {
			out[i] = p
			continue
		}
		keyID := KeyIDOf(p)
		if _, ok := ScopeOfKeyID(keyID); !ok {
			return payloads, fmt.Errorf("%w: malformed key id %q", ErrUnknownKey, keyID)
		}
		if cn := string(p.GetMetadata()[MetadataCipher]); cn != cipherName {
			return payloads, fmt.Errorf("payloadcrypt: unknown cipher %q", cn)
		}
		aead, err := c.keys.forDecrypt(ctx, keyID)
		if err != nil {
			return payloads, err
		}
		z, err := open(aead, p.GetData(), []byte(keyID))
		if err != nil {
			return payloads, fmt.Errorf("%w (key %s)", ErrTampered, keyID)
		}
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			return payloads, fmt.Errorf("payloadcrypt: decompressing: %w", err)
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
		if err == nil && len(plain) > maxDecoded {
			err = errors.New("over 16 MB")
		}
		if err != nil {
			return payloads, fmt.Errorf("payloadcrypt: decompressing: %w", err)
		}
		out[i] = &commonpb.Payload{}
		if err := out[i].Unmarshal(plain); err != nil {
			return payloads, fmt.Errorf("payloadcrypt: decrypted payload: %w", err)
		}
	}
	return out, nil
}

// Encrypted says whether p was encrypted by this package.
func Encrypted(p *commonpb.Payload) bool {
	return string(p.GetMetadata()[converter.MetadataEncoding]) == MetadataEncodingEncrypted
}

// KeyIDOf is the data key id of an encrypted payload ("" for another).
func KeyIDOf(p *commonpb.Payload) string {
	if !Encrypted(p) {
		return ""
	}
	return string(p.GetMetadata()[MetadataKeyID])
}

package objects

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"awardengine/award"
)

// These tests hold the sniffing library and award's table of matching types together: what
// the library calls real files must be what the table expects.

func TestDetectTypeAgreesWithAward(t *testing.T) {
	tests := []struct {
		name, declared string
		content        []byte
		want           bool
	}{
		{"pdf", "application/pdf", []byte("%PDF-1.4\n% a plan\n%%EOF\n"), true},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(t, 0), true},
		// A thumbnail before the document's entries pushes them past the library's default
		// 4 KiB; it is still a Word document at SniffBytes.
		{"docx with a thumbnail first", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(t, 20<<10), true},
		{"csv", "text/csv", []byte("school,score\nNorthshire,3\nEastmere,4\n"), true},
		{"text", "text/plain", []byte("Minutes of the wellbeing group, 3 March.\n"), true},
		{"png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), true},
		{"ELF declared as a PDF", "application/pdf", elfHead(), false},
		{"ELF declared as text", "text/plain", elfHead(), false},
		{"zip of no document declared as a PDF", "application/pdf", zipOf(t, "notes.txt"), false},
		{"shell script declared as text", "text/plain", []byte("#!/bin/sh\nrm -rf /\n"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DetectType(tc.content)
			if award.ContentMatches(tc.declared, got) != tc.want {
				t.Fatalf("detected %s for %s declared as %s; want match=%v", got, tc.name, tc.declared, tc.want)
			}
		})
	}
	if got := DetectType(docx(t, 20<<10)); !strings.Contains(got, "wordprocessingml") {
		t.Errorf("a docx with a 20 KiB thumbnail first is detected as %s", got)
	}
}

// docx builds a minimal Word document with archive/zip, with an incompressible thumbnail of
// thumbnailBytes first when thumbnailBytes > 0 (as some editors write it).
func docx(t testing.TB, thumbnailBytes int) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name, body string, method uint16) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`+
		`</Types>`, zip.Deflate)
	if thumbnailBytes > 0 {
		noise := make([]byte, thumbnailBytes)
		var x uint32 = 2463534242
		for i := range noise { // xorshift: bytes that do not compress
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			noise[i] = byte(x)
		}
		add("docProps/thumbnail.jpeg", string(noise), zip.Store)
	}
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>`+
		`</Relationships>`, zip.Deflate)
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">`+
		`<w:body><w:p><w:r><w:t>Our wellbeing plan</w:t></w:r></w:p></w:body></w:document>`, zip.Deflate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t testing.TB, name string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create(name)
	f.Write([]byte("hello"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// elfHead returns the head of a 64-bit x86 Linux executable: a valid ELF header and zeros.
func elfHead() []byte {
	b := make([]byte, 4096)
	copy(b, "\x7fELF\x02\x01\x01")            // 64-bit, little-endian, version 1
	binary.LittleEndian.PutUint16(b[16:], 2)  // e_type: executable
	binary.LittleEndian.PutUint16(b[18:], 62) // e_machine: x86-64
	binary.LittleEndian.PutUint32(b[20:], 1)  // e_version
	return b
}

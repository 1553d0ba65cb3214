package card

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

var update = flag.Bool("update", false, "write the golden card anew")

var sample = Card{Program: "启程汽车 车主计划", Name: "林小满", Title: "体验官 · Experience Officer", Number: "No. K7QH2-MX9TC",
	Since: "会员自 2026-03 · Member since 2026-03", Caption: "扫码验证 · Scan to verify", VerifyURL: "https://kox.example/v/K7QH2MX9TC"}

// The card is drawn exactly as the golden image: the same font, layout and
// QR code give the same bytes. Look at testdata/card.golden.png after a
// change on purpose, then run with -update.
func TestCardMatchesGolden(t *testing.T) {
	got, err := Render(sample)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil || img.Bounds().Dx() != Width || img.Bounds().Dy() != Height {
		t.Fatalf("not a %dx%d PNG: %v", Width, Height, err)
	}
	const golden = "testdata/card.golden.png"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		_ = os.WriteFile(os.TempDir()+"/card.got.png", got, 0o644)
		t.Fatalf("the card differs from %s (what was drawn: %s/card.got.png)", golden, os.TempDir())
	}
}

// The embedded font has every character the card's words need, Chinese
// and Latin: none is drawn as a missing-glyph box.
func TestFontCoversTheCardsWords(t *testing.T) {
	f, err := face(30)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sample.Program + sample.Name + sample.Title + sample.Number + sample.Since + sample.Caption + "0123456789·…" {
		if _, _, _, _, ok := f.Glyph(fixed.P(0, 0), r); !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	_ = font.Drawer{}
}

// A name too long for the card is cut with an ellipsis, not drawn over the
// QR code.
func TestLongNamesAreCut(t *testing.T) {
	f, _ := face(78)
	d := &font.Drawer{Face: f}
	long := "欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜"
	cut := fit(d, long, 560)
	if cut == long || d.MeasureString(cut).Ceil() > 560 || []rune(cut)[len([]rune(cut))-1] != '…' {
		t.Fatalf("fit(%q) = %q", long, cut)
	}
}

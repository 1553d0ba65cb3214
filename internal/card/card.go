// Package card draws a member's identity card (L6) as a PNG: the program,
// the member's name and tier title, the card number and a QR code that
// opens the card's public verification page. kox draws the text itself, so
// it embeds a CJK font with Latin letters too (WenQuanYi Micro Hei, from
// Debian's fonts-wqy-microhei, cut down by scripts/cardfont; Apache 2.0 or
// GPLv3 with the font exception: font/COPYRIGHT).
package card

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"rsc.io/qr"
)

//go:embed font/wqy-microhei-card.ttf
var fontFile []byte

var (
	parsed  *opentype.Font
	parseMu sync.Once
	errFont error
)

func face(size float64) (font.Face, error) {
	parseMu.Do(func() { parsed, errFont = opentype.Parse(fontFile) })
	if errFont != nil {
		return nil, fmt.Errorf("card: font: %w", errFont)
	}
	return opentype.NewFace(parsed, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// Card is what a card shows, already in the reader's language.
type Card struct {
	Program   string
	Name      string
	Title     string
	Number    string
	Since     string // "since 2026-03" in words
	Caption   string // under the QR code: "scan to verify"
	VerifyURL string
}

// Size of the card, in pixels (a bank card's proportions, 2× for phones).
const (
	Width  = 1012
	Height = 638
)

var (
	ink    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	soft   = color.RGBA{0xd6, 0xe4, 0xff, 0xff}
	ground = color.RGBA{0x1d, 0x3b, 0x72, 0xff}
	band   = color.RGBA{0x26, 0x6b, 0xd9, 0xff}
)

// drawn keeps recent cards: the same card is drawn the same way, and
// drawing one takes tens of milliseconds of CPU; a member opens theirs
// again and again.
var drawn = struct {
	sync.Mutex
	m map[Card][]byte
}{m: map[Card][]byte{}}

// cacheSize bounds drawn (about 60 KB a card).
const cacheSize = 256

// Render draws the card, or returns it as last drawn.
func Render(c Card) ([]byte, error) {
	drawn.Lock()
	b, ok := drawn.m[c]
	drawn.Unlock()
	if ok {
		return b, nil
	}
	b, err := render(c)
	if err != nil {
		return nil, err
	}
	drawn.Lock()
	if len(drawn.m) >= cacheSize {
		clear(drawn.m)
	}
	drawn.m[c] = b
	drawn.Unlock()
	return b, nil
}

func render(c Card) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), &image.Uniform{ground}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, Width, 14), &image.Uniform{band}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, Height-90, Width, Height), &image.Uniform{band}, image.Point{}, draw.Src)

	write := func(size float64, col color.Color, x, y int, text string, maxWidth int) error {
		f, err := face(size)
		if err != nil {
			return err
		}
		defer f.Close()
		d := &font.Drawer{Dst: img, Src: &image.Uniform{col}, Face: f}
		text = fit(d, text, maxWidth)
		d.Dot = fixed.P(x, y)
		d.DrawString(text)
		return nil
	}
	for _, t := range []struct {
		size  float64
		col   color.Color
		x, y  int
		text  string
		width int
	}{
		{34, soft, 56, 86, c.Program, 880},
		{78, ink, 56, 250, c.Name, 560},
		{40, ink, 56, 330, c.Title, 560},
		{28, soft, 56, 400, c.Since, 560},
		{30, ink, 56, Height - 32, c.Number, 560},
		{22, soft, 700, Height - 36, c.Caption, 260},
	} {
		if err := write(t.size, t.col, t.x, t.y, t.text, t.width); err != nil {
			return nil, err
		}
	}
	if err := drawQR(img, c.VerifyURL, image.Rect(700, 170, 956, 426)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	// Default compression: best compression took four times as long for
	// a few per cent fewer bytes.
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("card: png: %w", err)
	}
	return b.Bytes(), nil
}

// fit cuts text to maxWidth pixels, ending it with "…" when it was cut.
func fit(d *font.Drawer, text string, maxWidth int) string {
	if d.MeasureString(text).Ceil() <= maxWidth {
		return text
	}
	r := []rune(text)
	for len(r) > 0 && d.MeasureString(string(r)+"…").Ceil() > maxWidth {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// drawQR draws the QR code of url on a white square filling box, with a
// quiet zone so that phones read it.
func drawQR(img *image.RGBA, url string, box image.Rectangle) error {
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		return fmt.Errorf("card: qr: %w", err)
	}
	draw.Draw(img, box, &image.Uniform{color.White}, image.Point{}, draw.Src)
	quiet := 2
	cells := code.Size + 2*quiet
	scale := box.Dx() / cells
	off := box.Min.Add(image.Pt((box.Dx()-scale*cells)/2+quiet*scale, (box.Dy()-scale*cells)/2+quiet*scale))
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if code.Black(x, y) {
				r := image.Rect(off.X+x*scale, off.Y+y*scale, off.X+(x+1)*scale, off.Y+(y+1)*scale)
				draw.Draw(img, r, &image.Uniform{color.Black}, image.Point{}, draw.Src)
			}
		}
	}
	return nil
}

// QR is a size×size PNG of text's QR code (an event ticket's code).
func QR(text string, size int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	if err := drawQR(img, text, img.Bounds()); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("card: qr png: %w", err)
	}
	return b.Bytes(), nil
}

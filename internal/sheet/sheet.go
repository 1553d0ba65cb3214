// Package sheet writes the spreadsheets kox hands operators (member lists,
// bank files, budget reports) as CSV or XLSX, so that every export keeps a
// cell that looks like a formula as text (CSV injection).
package sheet

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuri/excelize/v2"

	"kox/internal/fault"
)

// Format is a spreadsheet's kind.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Formats kox reads and writes.
var Formats = []Format{CSV, XLSX}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Valid reports whether f is a format kox writes.
func Valid(f Format) bool { return f == CSV || f == XLSX }

// FormatError is the refusal of an unknown format.
func FormatError() error {
	return fault.Field("format", "one_of", "must be one of {values}", fault.P{"values": fault.Names(Formats)})
}

// risky are the first characters that make a spreadsheet read a cell as a
// formula (CSV injection).
const risky = "=+-@\t\r"

// Text keeps a CSV cell text in a spreadsheet: one that begins with a
// formula character gets a leading apostrophe.
func Text(s string) string {
	if s != "" && strings.ContainsRune(risky, rune(s[0])) {
		return "'" + s
	}
	return s
}

// Plain undoes Text on import.
func Plain(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(risky, rune(s[1])) {
		return s[1:]
	}
	return s
}

// Write writes a header and the rows each calls put with. CSV is UTF-8 with
// a byte-order mark (so that Excel reads Chinese) and every risky cell gets
// Text; XLSX is streamed and every cell is a string, never a formula.
func Write(w io.Writer, format Format, header []string, each func(put func([]string) error) error) error {
	switch format {
	case CSV:
		if _, err := w.Write([]byte("\uFEFF")); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		err := each(func(r []string) error {
			out := make([]string, len(r))
			for i := range r {
				out[i] = Text(r[i])
			}
			return cw.Write(out)
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	case XLSX:
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		n := 1
		put := func(r []string) error {
			cells := make([]any, len(r))
			for i, c := range r {
				cells[i] = excelize.Cell{Value: c}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			n++
			return sw.SetRow(cell, cells)
		}
		if err := put(header); err != nil {
			return err
		}
		if err := each(put); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	}
	return FormatError()
}

// Read reads a file's rows (at most max of them): CSV in UTF-8 (with or
// without a byte-order mark) or GB18030, as Excel in China saves it, or
// the first sheet of an XLSX workbook.
func Read(format Format, data []byte, max int) ([][]string, error) {
	bad := func(why string) error {
		return fault.New(fault.Invalid, "import.unreadable", "the file could not be read as {format}: {why}", fault.P{"format": string(format), "why": why})
	}
	switch format {
	case CSV:
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
		if !utf8.Valid(data) {
			d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, bad("neither UTF-8 nor GB18030")
			}
			data = d
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			return nil, bad(err.Error())
		}
		return rows, nil
	case XLSX:
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, bad("not an XLSX workbook")
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) == 0 {
			return nil, bad("no sheet")
		}
		it, err := x.Rows(sheets[0])
		if err != nil {
			return nil, bad(err.Error())
		}
		defer it.Close()
		var rows [][]string
		for it.Next() {
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, bad(err.Error())
			}
			rows = append(rows, cols)
			if len(rows) > max {
				break
			}
		}
		return rows, it.Error()
	}
	return nil, FormatError()
}
